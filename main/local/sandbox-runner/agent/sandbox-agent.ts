import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { AgentChild, type StdioMode } from './agent-child.ts';
import { encodeFrame, FRAME, FrameReader } from './agent-frames.ts';
import { sandboxAgent } from './agent-program.ts';
import { closeInheritedDescriptors } from './inherited-fds.ts';
import type { SandboxPty } from '../types.ts';

/** The agent's program, as `node -` reads it from stdin; argv[1] names it in `ps` inside the sandbox. */
export const AGENT_SOURCE = `(${closeInheritedDescriptors.toString()})();(${sandboxAgent.toString()})()`;
export const AGENT_NAME = 'daytona-tray-agent';
/** Launches that die before saying ready, in a row, before the waiting commands fail instead of waiting. */
const MAX_FAILED_LAUNCHES = 3;

/** What the agent needs from the sandbox it serves. */
export interface AgentHost {
  /** Starts the agent's process inside the sandbox, with fd 3 a socket to the provider (stdio[3]). */
  launch(): ChildProcess;
  /** False once the sandbox stopped or died: the agent is then not started again. */
  running(): boolean;
  /** SIGKILLs the sandbox process whose pid inside is `nsPid` and whose start time is `start` (an agent whose socket closed). */
  killInside(nsPid: number): void;
  log(line: string): void;
}

/** A command on a terminal of its own, made inside the sandbox by node-pty loaded from `module` (its folder as the sandbox sees it). */
export interface AgentTerminal {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
  module: string;
}

export interface AgentCommand {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdio: [StdioMode, StdioMode, StdioMode];
}

/** One running agent process and its socket. */
interface Connection {
  process: ChildProcess;
  socket: Socket;
  ready: boolean;
  dead: boolean;
  /** The agent's pid inside the sandbox (from its ready frame). */
  pid: number | undefined;
  children: Map<number, AgentChild>;
  /** What was sent for each command the agent has not accepted yet (ACCEPTED): sent again to the next agent if this one dies. */
  unaccepted: Map<number, Buffer[]>;
  /** Whether writes are held until the end of this turn of the loop (one write for a command's spawn and stdin). */
  corked: boolean;
  stderr: string;
}

/**
 * The provider's side of a sandbox's resident agent: starts it, sends it commands, routes their output
 * back, and starts it again when it dies while the sandbox runs (saying so in the log). Commands asked for
 * while no agent is ready wait in order and go to the next one, and so do commands the dead agent had not
 * accepted yet (it accepts a command before it forks, so those never ran); commands it had accepted are
 * reported killed, and the next agent ends what is left of them. A command runs at most once.
 */
export class SandboxAgent {
  private readonly host: AgentHost;
  private connection: Connection | undefined;
  private readonly waiting: { child: AgentChild; frame: Buffer }[] = [];
  private nextId = 1;
  private failedLaunches = 0;
  private closed = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Commands of dead agents, which the next agent kills (pid inside + start time). */
  private orphans: { pid: number; start: string | null }[] = [];
  /** Commands wait while this is pending (a sandbox being renamed before its first command). */
  private held = 0;
  private readonly readyWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  constructor(host: AgentHost) {
    this.host = host;
  }

  /** Starts the agent (the sandbox's first command would otherwise wait for it). */
  start(): void {
    if (!this.connection && !this.closed) this.launch();
  }

  /** Whether an agent is connected and ready now. */
  get ready(): boolean {
    return this.connection?.ready === true;
  }

  /** The agent's pid inside the sandbox while one is connected (a graceful stop leaves it for last). */
  get pid(): number | undefined {
    return this.connection?.ready ? this.connection.pid : undefined;
  }

  spawn(command: AgentCommand): ChildProcess {
    const id = this.nextId++;
    const child = new AgentChild(id, command.argv, command.stdio, {
      stdin: (childId, chunk) => this.send(child, encodeFrame(FRAME.STDIN, childId, chunk)),
      stdinEnd: (childId) => this.send(child, encodeFrame(FRAME.STDIN_END, childId)),
      signal: (childId, signal, tree) => this.send(child, encodeFrame(FRAME.SIGNAL, childId, { signal, tree })),
    });
    this.send(child, encodeFrame(FRAME.SPAWN, id, command));
    if (!this.connection && !this.closed) this.launch();
    return child.asChildProcess();
  }

  /**
   * Starts a command on a pseudo-terminal the agent makes inside the sandbox (so it is a child of the agent, in every
   * namespace of the sandbox, with the sandbox's devpts). `pid` is its pid inside; 0 until the agent reported it.
   */
  spawnTerminal(command: AgentTerminal): SandboxPty {
    const id = this.nextId++;
    const child = new AgentChild(id, command.argv, ['pipe', 'pipe', 'ignore'], {
      stdin: (childId, chunk) => this.send(child, encodeFrame(FRAME.STDIN, childId, chunk)),
      stdinEnd: () => {},
      signal: (childId, signal, tree) => this.send(child, encodeFrame(FRAME.SIGNAL, childId, { signal, tree })),
    });
    this.send(child, encodeFrame(FRAME.PTY_SPAWN, id, command));
    if (!this.connection && !this.closed) this.launch();
    const running = () => child.exitCode === null && child.signalCode === null;
    return {
      get pid() {
        return child.pid ?? 0;
      },
      onData: (listener) => child.stdout?.on('data', listener),
      onExit: (listener) => {
        child.once('exit', (code: number | null, signal: NodeJS.Signals | null) =>
          listener({ exitCode: code ?? 0, signal: signal ?? undefined }),
        );
        // A terminal that could not start is reported as ended (exit 126).
        child.once('error', () => listener({ exitCode: 126 }));
      },
      write: (data) => {
        if (running()) this.send(child, encodeFrame(FRAME.STDIN, id, Buffer.from(data)));
      },
      resize: (cols, rows) => {
        if (running()) this.send(child, encodeFrame(FRAME.RESIZE, id, { cols, rows }));
      },
      kill: () => child.killTree('SIGKILL'),
    };
  }

  /** Resolves once an agent is ready; rejects when it could not start (after its retries) or the sandbox ended. */
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('the sandbox is not running'));
    this.start();
    return new Promise<void>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** Holds new commands back until `until` settles. */
  holdUntil(until: Promise<unknown>): void {
    this.held++;
    void until.finally(() => {
      this.held--;
      if (this.connection?.ready && !this.connection.dead) this.flush(this.connection);
    });
  }

  /** The socket to the agent ended from the provider's side (a test's "connection lost"; also used on close). */
  dropConnection(): void {
    this.connection?.socket.destroy();
  }

  /** No more restarts; the agent itself ends with the sandbox. */
  close(): void {
    this.closed = true;
    clearTimeout(this.restartTimer);
    for (const { child } of this.waiting.splice(0)) child.failed(new Error('the sandbox is not running'));
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(new Error('the sandbox is not running'));
  }

  private send(child: AgentChild, frame: Buffer): void {
    const bound = boundConnection.get(child);
    if (bound) {
      if (!bound.dead) this.write(bound, child, frame);
      return;
    }
    const connection = this.connection;
    if (connection?.ready && !connection.dead && this.held === 0 && this.waiting.length === 0) {
      this.bind(child, connection);
      this.write(connection, child, frame);
    } else if (this.closed) {
      if (!boundConnection.has(child)) queueMicrotask(() => child.failed(new Error('the sandbox is not running')));
    } else {
      this.waiting.push({ child, frame });
    }
  }

  /** Sends the commands that waited, in order, unless commands are held back. */
  private flush(connection: Connection): void {
    if (this.held > 0) return;
    for (const { child, frame } of this.waiting.splice(0)) {
      this.bind(child, connection);
      this.write(connection, child, frame);
    }
  }

  /** Writes a command's frame, kept until the agent accepts the command; a turn's frames leave in one write. */
  private write(connection: Connection, child: AgentChild, frame: Buffer): void {
    connection.unaccepted.get(child.id)?.push(frame);
    if (!connection.corked) {
      connection.corked = true;
      connection.socket.cork();
      setImmediate(() => {
        connection.corked = false;
        connection.socket.uncork();
      });
    }
    connection.socket.write(frame);
  }

  private bind(child: AgentChild, connection: Connection): void {
    if (boundConnection.has(child)) return;
    boundConnection.set(child, connection);
    connection.children.set(child.id, child);
    connection.unaccepted.set(child.id, []);
  }

  private launch(): void {
    let process: ChildProcess;
    try {
      process = this.host.launch();
    } catch (error) {
      this.launchFailed(error instanceof Error ? error.message : String(error));
      return;
    }
    const socket = process.stdio[3] as Socket;
    const connection: Connection = {
      process,
      socket,
      ready: false,
      dead: false,
      pid: undefined,
      children: new Map(),
      unaccepted: new Map(),
      corked: false,
      stderr: '',
    };
    this.connection = connection;
    process.stderr?.setEncoding('utf8');
    process.stderr?.on('data', (chunk: string) => {
      if (connection.stderr.length < 2000) connection.stderr += chunk;
    });
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk, (type, id, payload) => this.onFrame(connection, type, id, payload));
      } catch (error) {
        this.host.log(`its agent broke the protocol (${error instanceof Error ? error.message : String(error)}); starting it again`);
        socket.destroy();
      }
    });
    socket.on('error', () => {});
    socket.once('close', () => this.lost(connection, 'its connection closed'));
    process.once('exit', (code, signal) => this.lost(connection, `it exited with ${code ?? signal}`));
    process.once('error', (error) => this.lost(connection, `it could not start: ${error.message}`));
  }

  private onFrame(connection: Connection, type: number, id: number, payload: Buffer): void {
    if (type === FRAME.READY) {
      connection.ready = true;
      connection.pid = Number((JSON.parse(payload.toString('utf8')) as { pid: unknown }).pid) || undefined;
      this.failedLaunches = 0;
      if (this.orphans.length > 0) connection.socket.write(encodeFrame(FRAME.REAP, 0, this.orphans.splice(0)));
      this.flush(connection);
      for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
      return;
    }
    const child = connection.children.get(id);
    if (!child) return;
    if (type === FRAME.ACCEPTED) connection.unaccepted.delete(id);
    else if (type === FRAME.SPAWNED) {
      const info = JSON.parse(payload.toString('utf8')) as { pid: number; start: string | null };
      child.spawned(info.pid, info.start);
    } else if (type === FRAME.STDOUT) child.output('stdout', Buffer.from(payload));
    else if (type === FRAME.STDERR) child.output('stderr', Buffer.from(payload));
    else if (type === FRAME.EXIT) {
      const info = JSON.parse(payload.toString('utf8')) as { code: number | null; signal: NodeJS.Signals | null };
      child.exited(info.code, info.signal);
    } else if (type === FRAME.CLOSE) {
      connection.children.delete(id);
      child.finished();
    }
  }

  /** The agent (or its socket) is gone: its commands are reported killed, and a new agent starts if the sandbox runs. */
  private lost(connection: Connection, how: string): void {
    if (connection.dead) return;
    connection.dead = true;
    connection.socket.destroy();
    if (this.connection === connection) this.connection = undefined;
    // A socket closed under a live agent: end that agent, so two never serve one sandbox.
    if (connection.process.exitCode === null && connection.process.signalCode === null) {
      // One that never said ready has no known pid inside: its launcher goes (an agent left behind exits when its socket closes).
      if (connection.pid !== undefined) this.host.killInside(connection.pid);
      else connection.process.kill('SIGKILL');
    }
    const sandboxRuns = this.host.running() && !this.closed;
    // Commands the dead agent never accepted never ran: the next agent gets them, in order, before anything newer.
    const resend: { child: AgentChild; frame: Buffer }[] = [];
    if (sandboxRuns) {
      for (const [id, frames] of connection.unaccepted) {
        const child = connection.children.get(id);
        if (!child) continue;
        connection.children.delete(id);
        boundConnection.delete(child);
        for (const frame of frames) resend.push({ child, frame });
      }
      this.waiting.unshift(...resend);
    }
    connection.unaccepted.clear();
    for (const child of connection.children.values()) {
      // A command whose start the agent had not reported yet when it died is not known by pid: it is left running.
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        this.orphans.push({ pid: child.pid, start: child.startTime });
      }
      child.lost(
        sandboxRuns
          ? "[the sandbox's agent stopped while this command ran; the command was ended]"
          : '[the sandbox stopped while this command ran]',
      );
    }
    connection.children.clear();
    if (!sandboxRuns) {
      this.close();
      return;
    }
    if (!connection.ready) {
      this.launchFailed(`${how}${connection.stderr ? `: ${connection.stderr.trim().slice(0, 300)}` : ''}`);
      return;
    }
    this.host.log(`its agent stopped (${how}); starting it again`);
    this.launch();
  }

  private launchFailed(reason: string): void {
    this.failedLaunches++;
    if (this.failedLaunches >= MAX_FAILED_LAUNCHES) {
      this.host.log(`its agent could not start (${reason}); the waiting commands fail`);
      this.failedLaunches = 0;
      const error = new Error(`the sandbox's agent could not start: ${reason}`);
      for (const { child } of this.waiting.splice(0)) child.failed(error);
      for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
      return;
    }
    this.host.log(`its agent could not start (${reason}); trying again`);
    this.restartTimer = setTimeout(() => {
      if (!this.connection && !this.closed && this.host.running()) this.launch();
    }, 100 * this.failedLaunches);
  }
}

/** The agent connection a command went to (its later stdin and signals go there, or nowhere once it died). */
const boundConnection = new WeakMap<AgentChild, Connection>();
