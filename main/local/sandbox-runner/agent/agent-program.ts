/**
 * The resident agent: one small Node program per started sandbox, inside all of its namespaces, as the
 * sandbox user. It forks the sandbox's commands from inside (one fork of a small process instead of an
 * nsenter spawn from the provider per command) and streams their stdio and exit back.
 *
 * It talks to the provider over fd 3 only: a Unix socket pair the provider made when it started the agent,
 * which has no path anywhere and which a process of the sandbox cannot open through /proc/<pid>/fd (the
 * kernel refuses to open a socket that way). Framing (agent-frames.ts): a 9-byte header (payload length,
 * type, command id) and the payload, JSON for control frames, raw bytes for stdio.
 *
 * It runs as `node - daytona-tray-agent` with `(<this function's source>)()` on stdin, so it must use nothing from outside its own body:
 * every helper is nested and the frame numbers are repeated here (agent-frames.ts has the same, checked by a
 * test). Commands are started the way the provider started them with nsenter: their own session and
 * process group (setsid), the environment given, the working directory resolved inside the sandbox.
 */
export function sandboxAgent(): void {
  const { spawn } = process.getBuiltinModule('node:child_process');
  const { Socket } = process.getBuiltinModule('node:net');
  const { fstatSync, readdirSync, readFileSync, statSync } = process.getBuiltinModule('node:fs');

  const HEADER = 9;
  const MAX_FRAME = 16 * 1024 * 1024;
  // provider -> agent
  const SPAWN = 1;
  const STDIN = 2;
  const STDIN_END = 3;
  const SIGNAL = 4;
  const REAP = 5;
  const PTY_SPAWN = 6;
  const RESIZE = 7;
  // agent -> provider
  const READY = 10;
  const SPAWNED = 11;
  const STDOUT = 12;
  const STDERR = 13;
  const EXIT = 14;
  const CLOSE = 15;
  const ACCEPTED = 16;

  type Stdio = 'pipe' | 'ignore';
  interface Command {
    child: import('node:child_process').ChildProcess;
    pid: number;
  }

  // Ends with the sandbox (the kernel kills its whole pid namespace) or when the provider's end closes.
  // SIGTERM is ignored: a graceful stop signals every command first and the agent reports their exits.
  process.on('SIGTERM', () => {});
  process.on('SIGHUP', () => {});
  const channel = new Socket({ fd: 3, readable: true, writable: true });
  const commands = new Map<number, Command>();
  /** Commands on a terminal of their own (node-pty's IPty, typed loosely: its module is loaded at run time). */
  interface Terminal {
    pid: number;
    write(data: Buffer): void;
    resize(cols: number, rows: number): void;
    pause(): void;
    resume(): void;
    onData(listener: (data: Buffer | string) => void): void;
    onExit(listener: (exit: { exitCode: number; signal?: number }) => void): void;
  }
  const terminals = new Map<number, Terminal>();
  let ptyModule: { spawn(file: string, args: string[], options: object): Terminal } | undefined;
  /** Commands accepted whose word of it is still on its way to the provider: their later frames wait here. */
  const accepting = new Map<number, [number, Buffer][]>();
  let blocked = false;
  let corked = false;

  const frame = (type: number, id: number, payload: Buffer | string | object): Buffer => {
    const body = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
    const header = Buffer.alloc(HEADER);
    header.writeUInt32BE(body.length, 0);
    header.writeUInt8(type, 4);
    header.writeUInt32BE(id, 5);
    return Buffer.concat([header, body]);
  };

  const send = (type: number, id: number, payload: Buffer | string | object = Buffer.alloc(0)): void => {
    // What one turn of the loop sends (a command's output, exit and close) leaves in one write: one wake-up of the provider.
    if (!corked) {
      corked = true;
      channel.cork();
      setImmediate(() => {
        corked = false;
        channel.uncork();
      });
    }
    if (!channel.write(frame(type, id, payload)) && !blocked) {
      // The provider reads slower than the commands write: hold their output until it caught up.
      blocked = true;
      for (const command of commands.values()) {
        command.child.stdout?.pause();
        command.child.stderr?.pause();
      }
      for (const terminal of terminals.values()) terminal.pause();
      channel.once('drain', () => {
        blocked = false;
        for (const command of commands.values()) {
          command.child.stdout?.resume();
          command.child.stderr?.resume();
        }
        for (const terminal of terminals.values()) terminal.resume();
      });
    }
  };

  /** The fields of /proc/<pid>/stat after the command name (state first), or none when it is gone. */
  const statOf = (pid: number): string[] => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    } catch {
      return [];
    }
  };
  const startTime = (pid: number): string | undefined => statOf(pid)[19];

  const signalPid = (pid: number, sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      // gone already
    }
  };

  /** The command's process group and every descendant that left it (setsid), as killTree does on the host. */
  const killTree = (pid: number, sig: NodeJS.Signals): void => {
    const parents = new Map<number, number[]>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const parent = Number(statOf(Number(name))[1]);
      const list = parents.get(parent);
      if (list) list.push(Number(name));
      else parents.set(parent, [Number(name)]);
    }
    const descendants: number[] = [];
    const queue = [pid];
    while (queue.length > 0) {
      for (const child of parents.get(queue.shift()!) ?? []) {
        descendants.push(child);
        queue.push(child);
      }
    }
    signalPid(-pid, sig);
    for (const child of descendants) signalPid(child, sig);
  };

  const failed = (id: number, argv0: string, message: string, exitCode: number): void => {
    // As nsenter reported a command it could not start: a line on stderr and its exit status.
    send(STDERR, id, `${argv0}: ${message}\n`);
    send(EXIT, id, { code: exitCode, signal: null });
    send(CLOSE, id);
  };

  /** The folder `cwd` names now (device and inode), if a command can start in it; if not, reports the command failed as a shell would. */
  const enterable = (id: number, program: string, cwd: string): string | undefined => {
    let problem: string | undefined;
    try {
      const stats = statSync(cwd);
      if (stats.isDirectory()) return `${stats.dev}:${stats.ino}`;
      problem = 'Not a directory';
    } catch {
      problem = 'No such file or directory';
    }
    failed(id, program, `cannot change directory to ${cwd}: ${problem}`, 1);
    return undefined;
  };

  type Request = { argv: string[]; cwd: string; env: Record<string, string>; stdio: Stdio[] };
  type Child = import('node:child_process').ChildProcess;
  /**
   * One bash started ahead of the next command that runs bash on its stdin (executeCommand), so that command skips
   * the fork and bash's start; it waits in its BASH_ENV file (spare-shell.ts, given as fd 4) for the go. Used only
   * for the same argv, folder (the same one, not one made since under its name), environment and stdio (a sandbox's
   * hostname is set before its first command); started again after each such command ends, so no command sees it in
   * `ps`. A spare whose agent died reads EOF as its go, finds no command and exits.
   */
  let spare: { child: Child; key: string; folder: string } | undefined;
  /** The last such command's key: a spare is started only for a setup that came twice in a row (not one per call). */
  let lastKey: string | undefined;
  const spareFd = (() => {
    try {
      return fstatSync(4).isFile() ? 4 : undefined;
    } catch {
      return undefined;
    }
  })();
  const SPARE_UNSAFE = /^(BASH_.*|BASHOPTS|SHELLOPTS|POSIXLY_CORRECT|SECONDS|_)$/;
  const spareKey = ({ argv, cwd, env, stdio }: Request): string | undefined =>
    spareFd !== undefined &&
    argv.length === 1 &&
    argv[0]!.endsWith('/bash') &&
    stdio[0] === 'pipe' &&
    !Object.keys(env).some((name) => SPARE_UNSAFE.test(name))
      ? JSON.stringify([argv, cwd, env, stdio])
      : undefined;
  const startSpare = (request: Request, key: string, folder: string): void => {
    if (spare || blocked) return;
    let child: Child;
    try {
      const env = { ...request.env, BASH_ENV: '/proc/self/fd/3' };
      child = spawn(request.argv[0]!, [], { cwd: request.cwd, env, stdio: [...request.stdio, spareFd!], detached: true });
    } catch {
      return;
    }
    child.on('error', () => {});
    child.stdin?.on('error', () => {});
    if (child.pid === undefined) return;
    const entry = { child, key, folder };
    child.once('exit', () => {
      if (spare === entry) spare = undefined;
    });
    spare = entry;
  };
  /** The spare, for a command with this key in this folder, if it still waits (it may have been killed meanwhile). */
  const takeSpare = (key: string, folder: string): Child | undefined => {
    const taken = spare;
    spare = undefined;
    if (!taken) return undefined;
    if (taken.key === key && taken.folder === folder && /^[SD]$/.test(statOf(taken.child.pid!)[0] ?? '')) {
      taken.child.stdin!.write('\n');
      return taken.child;
    }
    signalPid(-taken.child.pid!, 'SIGKILL');
    return undefined;
  };

  const startCommand = (id: number, request: Request): void => {
    const [program, ...args] = request.argv;
    if (!program) return failed(id, 'agent', 'empty command', 127);
    const folder = enterable(id, program, request.cwd);
    if (!folder) return;
    const key = spareKey(request);
    const repeated = key !== undefined && key === lastKey;
    if (key) lastKey = key;
    let child = key ? takeSpare(key, folder) : undefined;
    try {
      child ??= spawn(program, args, { cwd: request.cwd, env: request.env, stdio: request.stdio, detached: true });
    } catch (error) {
      return failed(id, program, String((error as Error).message), 126);
    }
    if (child.pid === undefined) {
      // Node reports a failed spawn (no such program) on the next tick.
      child.once('error', (error: NodeJS.ErrnoException) => {
        const missing = error.code === 'ENOENT';
        failed(id, program, missing ? 'No such file or directory' : error.message, missing ? 127 : 126);
      });
      return;
    }
    // Known from here on, so the stdin and signal frames right behind this one find it.
    const pid = child.pid;
    commands.set(id, { child, pid });
    send(SPAWNED, id, { pid, start: startTime(pid) ?? null });
    child.stdout?.on('data', (chunk: Buffer) => send(STDOUT, id, chunk));
    child.stderr?.on('data', (chunk: Buffer) => send(STDERR, id, chunk));
    if (blocked) {
      child.stdout?.pause();
      child.stderr?.pause();
    }
    child.stdin?.on('error', () => {});
    child.on('error', () => {});
    child.once('exit', (code, sig) => send(EXIT, id, { code, signal: sig }));
    child.once('close', () => {
      commands.delete(id);
      send(CLOSE, id);
      // After the close frame has left (send uncorks on the same queue, earlier).
      if (repeated) setImmediate(() => startSpare(request, key, folder));
    });
  };

  /**
   * Tells the provider a command is accepted before it can start, and starts it once that word is in the socket's
   * kernel buffer: if this agent dies, the provider then knows whether it may send the command to the next one (no
   * word: it never started) or must report it ended (it may have run). So a command runs at most once.
   */
  const accept = (id: number, run: () => void): void => {
    if (corked) {
      corked = false;
      channel.uncork();
    }
    accepting.set(id, []);
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      const held = accepting.get(id) ?? [];
      accepting.delete(id);
      run();
      for (const [type, payload] of held) handle(type, id, payload);
    };
    channel.write(frame(ACCEPTED, id, Buffer.alloc(0)), start);
    // Written straight to the socket (nothing queued before it): start now rather than a turn of the loop later.
    if (channel.writableLength === 0) start();
  };

  /** As startCommand, on a new pseudo-terminal made inside the sandbox (its devpts), as Daytona's daemon does. */
  const startTerminal = (
    id: number,
    request: { argv: string[]; cwd: string; env: Record<string, string>; cols: number; rows: number; module: string },
  ): void => {
    const [program, ...args] = request.argv;
    if (!program) return failed(id, 'agent', 'empty command', 127);
    if (!enterable(id, program, request.cwd)) return;
    let terminal: Terminal;
    try {
      ptyModule ??= process.getBuiltinModule('node:module').createRequire(`${request.module}/package.json`)(
        request.module,
      ) as typeof ptyModule;
      const env = request.env;
      terminal = ptyModule!.spawn(program, args, {
        name: env.TERM ?? 'xterm-256color',
        cols: request.cols,
        rows: request.rows,
        cwd: request.cwd,
        env,
        encoding: null,
      });
    } catch (error) {
      return failed(id, program, String((error as Error).message), 126);
    }
    const pid = terminal.pid;
    terminals.set(id, terminal);
    send(SPAWNED, id, { pid, start: startTime(pid) ?? null });
    terminal.onData((data) => send(STDOUT, id, typeof data === 'string' ? Buffer.from(data) : data));
    if (blocked) terminal.pause();
    terminal.onExit(({ exitCode, signal }) => {
      terminals.delete(id);
      const name = signal
        ? Object.entries(process.getBuiltinModule('node:os').constants.signals).find(([, number]) => number === signal)?.[0]
        : undefined;
      send(EXIT, id, { code: exitCode, signal: name ?? null });
      send(CLOSE, id);
    });
  };

  const handle = (type: number, id: number, payload: Buffer): void => {
    if (type === SPAWN) {
      const request = JSON.parse(payload.toString('utf8')) as Parameters<typeof startCommand>[1];
      return accept(id, () => startCommand(id, request));
    }
    if (type === PTY_SPAWN) {
      const request = JSON.parse(payload.toString('utf8')) as Parameters<typeof startTerminal>[1];
      return accept(id, () => startTerminal(id, request));
    }
    const held = accepting.get(id);
    if (held) {
      held.push([type, Buffer.from(payload)]);
      return;
    }
    if (type === REAP) {
      // Commands of an agent that died before this one: end their groups unless the pid is someone else's now.
      for (const { pid, start } of JSON.parse(payload.toString('utf8')) as { pid: number; start: string | null }[]) {
        const now = startTime(pid);
        if (now === undefined || start === null || now === start) killTree(pid, 'SIGKILL');
      }
      return;
    }
    const terminal = terminals.get(id);
    if (terminal) {
      if (type === STDIN) terminal.write(Buffer.from(payload));
      else if (type === RESIZE) {
        const { cols, rows } = JSON.parse(payload.toString('utf8')) as { cols: number; rows: number };
        terminal.resize(cols, rows);
      } else if (type === SIGNAL) killTree(terminal.pid, (JSON.parse(payload.toString('utf8')) as { signal: NodeJS.Signals }).signal);
      return;
    }
    const command = commands.get(id);
    if (!command) return;
    if (type === STDIN) command.child.stdin?.write(payload);
    else if (type === STDIN_END) command.child.stdin?.end();
    else if (type === SIGNAL) {
      const { signal: sig, tree } = JSON.parse(payload.toString('utf8')) as { signal: NodeJS.Signals; tree: boolean };
      if (tree) killTree(command.pid, sig);
      else signalPid(command.pid, sig);
    }
  };

  let pending: Buffer = Buffer.alloc(0);
  channel.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= HEADER) {
      const length = pending.readUInt32BE(0);
      if (length > MAX_FRAME) process.exit(2);
      if (pending.length < HEADER + length) break;
      const type = pending.readUInt8(4);
      const id = pending.readUInt32BE(5);
      const payload = pending.subarray(HEADER, HEADER + length);
      pending = pending.subarray(HEADER + length);
      try {
        handle(type, id, payload);
      } catch (error) {
        process.stderr.write(`agent: frame ${type} for ${id}: ${String(error)}\n`);
      }
    }
  });
  // The provider's end closed (it stopped the agent, or went away): nothing left to serve.
  channel.on('end', () => process.exit(0));
  channel.on('error', () => process.exit(0));
  send(READY, 0, { pid: process.pid });
}
