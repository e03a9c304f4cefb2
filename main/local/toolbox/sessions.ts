import { execFile, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants, open as openFd } from 'node:fs';
import { appendFile, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiError, conflict, notFound } from '../errors.ts';
import { RUNNING_STATES, type SandboxRecord } from '../sandbox-record.ts';
import { SANDBOX_SHELL, signalNumber, spawnInSandbox, type SandboxExec } from './run-command.ts';

export const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface SessionCommand {
  id: string;
  command: string;
  exitCode?: number;
  /** Resolves with the exit code when the command finishes (or its session ends). */
  readonly done: Promise<number | undefined>;
  readonly stdoutFile: string;
  readonly stderrFile: string;
  readonly suppressInputEcho: boolean;
  /** Write end of the command's stdin FIFO; only async commands take input (sync ones read /dev/null). */
  input?: Socket;
}

interface Session {
  id: string;
  shell: ChildProcess;
  commands: SessionCommand[];
  ended: boolean;
  deleted: boolean;
  finish: Map<string, (code: number | undefined) => void>;
}

export interface ExecuteOptions {
  runAsync: boolean;
  suppressInputEcho: boolean;
}

const MARKER = '\u001eDAYTONA_TRAY_EXIT';
const SESSION_DIR = '.daytona-sessions';
const ENTRYPOINT = 'entrypoint';
const DELETE_WAIT_MS = 5000;
const execFileAsync = promisify(execFile);
const openFdAsync = promisify(openFd);
const quoted = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * Daytona's process sessions: one long-lived shell per session, so `cd` and `export` carry over between
 * commands. Each command is a script the shell sources (a syntax error fails that command, not the
 * session); its stdout/stderr go to files under the sandbox's /tmp (the logs endpoint reads them, also
 * while it runs) and its stdin is /dev/null, or for async commands a FIFO fed by `sendInput`. The shell's
 * own stdin carries only our command lines and its stdout only exit reports, so user input can never be
 * taken for a command, nor a queued command for input.
 */
export class SessionManager {
  private readonly sessions = new Map<string, Map<string, Session>>();

  private readonly exec: SandboxExec;

  constructor(exec: SandboxExec) {
    this.exec = exec;
  }

  private of(sandboxId: string): Map<string, Session> {
    let map = this.sessions.get(sandboxId);
    if (!map) this.sessions.set(sandboxId, (map = new Map()));
    return map;
  }

  get(sandboxId: string, sessionId: string): Session {
    const session = this.sessions.get(sandboxId)?.get(sessionId);
    if (!session)
      throw notFound(
        `Session ${sessionId} not found: create it first with createSession (listSessions shows the existing ones).`,
        'PROCESS_NOT_FOUND',
      );
    return session;
  }

  list(sandboxId: string) {
    return [...(this.sessions.get(sandboxId)?.values() ?? [])].map(describe);
  }

  describe(sandboxId: string, sessionId: string) {
    return describe(this.get(sandboxId, sessionId));
  }

  async create(record: SandboxRecord, sessionId: string): Promise<void> {
    // Looked up anew after each await: deleting the sandbox's last session meanwhile drops its map.
    const sessions = () => this.of(record.id);
    if (sessions().has(sessionId) || sessionId === ENTRYPOINT)
      throw conflict(`Session ${sessionId} already exists: pick another id or delete it first.`);
    const hostDir = this.hostLogDir(record.id, sessionId);
    await rm(hostDir, { recursive: true, force: true });
    await mkdir(hostDir, { recursive: true, mode: 0o700 });
    // Checked again: another request may have taken the id while the directory was made.
    if (sessions().has(sessionId)) throw conflict(`Session ${sessionId} already exists: pick another id or delete it first.`);
    const argv = SANDBOX_SHELL.endsWith('bash') ? [SANDBOX_SHELL, '--noprofile', '--norc'] : [SANDBOX_SHELL];
    const shell = await spawnInSandbox(this.exec, record, argv, {}, ['pipe', 'pipe', 'ignore']);
    if (sessions().has(sessionId)) {
      // ... and while the shell started (a sandbox whose runtime had died restarts first).
      this.exec.runner.kill(shell);
      throw conflict(`Session ${sessionId} already exists: pick another id or delete it first.`);
    }
    const session: Session = { id: sessionId, shell, commands: [], ended: false, deleted: false, finish: new Map() };
    sessions().set(sessionId, session);
    let pending = '';
    shell.stdout?.setEncoding('utf8');
    shell.stdout?.on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const at = line.indexOf(MARKER);
        if (at === -1) continue;
        const [cmdId, code] = line
          .slice(at + MARKER.length)
          .trim()
          .split(' ');
        if (cmdId) this.complete(session, cmdId, Number(code));
      }
    });
    shell.stdin?.on('error', () => {});
    const ended = (code: number | null, signal: NodeJS.Signals | null) => {
      if (session.ended) return;
      session.ended = true;
      // A command that ran `exit N` ended the shell: it, and anything queued behind it, report N.
      const status = code ?? (signal ? 128 + signalNumber(signal) : undefined);
      for (const cmdId of [...session.finish.keys()]) this.complete(session, cmdId, status);
      this.dropIfSandboxStopped(record.id, session);
    };
    shell.once('close', ended);
    shell.once('error', () => ended(null, null));
  }

  /** A stopped or deleted sandbox has no sessions (Daytona's daemon restarts with none). */
  private dropIfSandboxStopped(sandboxId: string, session: Session): void {
    if (session.deleted) return;
    let running: boolean;
    try {
      running = RUNNING_STATES.has(this.exec.service.get(sandboxId).state);
    } catch {
      running = false; // deleted
    }
    if (running) return; // the user's own `exit`: the session stays, reporting SESSION_ENDED
    this.remove(sandboxId, session);
    void rm(this.hostLogDir(sandboxId, session.id), { recursive: true, force: true }).catch(() => {});
  }

  private remove(sandboxId: string, session: Session): void {
    const map = this.sessions.get(sandboxId);
    if (map?.get(session.id) === session) map.delete(session.id);
    if (map && map.size === 0) this.sessions.delete(sandboxId);
  }

  private complete(session: Session, cmdId: string, code: number | undefined): void {
    const command = session.commands.find((c) => c.id === cmdId);
    if (command) {
      if (code !== undefined && Number.isFinite(code)) command.exitCode = code;
      command.input?.destroy();
      delete command.input;
    }
    session.finish.get(cmdId)?.(code);
    session.finish.delete(cmdId);
  }

  /** Queues a command in the session's shell and returns once it is queued; await `done` for the exit code. */
  async execute(record: SandboxRecord, sessionId: string, commandText: string, options: ExecuteOptions): Promise<SessionCommand> {
    const session = this.get(record.id, sessionId);
    const assertOpen = () => {
      if (session.ended)
        throw new ApiError(410, `Session ${sessionId} has ended (its shell exited): delete it and create a new one.`, 'SESSION_ENDED');
    };
    assertOpen();
    const id = randomUUID();
    const hostDir = this.hostLogDir(record.id, sessionId);
    const sandboxDir = this.exec.runner.visiblePath(`/tmp/${SESSION_DIR}/${sessionId}`, this.exec.service.dirsOf(record.id));
    const file = (ext: string) => ({ host: join(hostDir, `${id}.${ext}`), sandbox: `${sandboxDir}/${id}.${ext}` });
    const [script, out, err, fifo] = [file('sh'), file('out'), file('err'), file('in')];
    await writeFile(script.host, commandText, { mode: 0o600 });
    await Promise.all([writeFile(out.host, '', { mode: 0o600 }), writeFile(err.host, '', { mode: 0o600 })]);
    let input: Socket | undefined;
    if (options.runAsync) {
      await execFileAsync('mkfifo', ['-m', '600', fifo.host], { timeout: 10_000 });
      // Read-write, so opening never blocks and the command's own open finds a writer.
      // A plain fd (not a FileHandle, which would close it when collected): the socket owns it.
      const fd = await openFdAsync(fifo.host, constants.O_RDWR | constants.O_NONBLOCK);
      input = new Socket({ fd, readable: false, writable: true });
      input.on('error', () => {});
    }
    assertOpen();
    let finish!: (code: number | undefined) => void;
    const done = new Promise<number | undefined>((resolve) => {
      finish = resolve;
    });
    const command: SessionCommand = {
      id,
      command: commandText,
      done,
      stdoutFile: out.host,
      stderrFile: err.host,
      suppressInputEcho: options.suppressInputEcho,
      ...(input ? { input } : {}),
    };
    session.commands.push(command);
    session.finish.set(id, finish);
    void done.then(() => Promise.all([rm(script.host, { force: true }), rm(fifo.host, { force: true })])).catch(() => {});
    // A group, not a subshell: cd/export persist for the next command, as in Daytona's sessions. Output is
    // appended, so input echoed into the log by sendInput is not overwritten by the command's own writes.
    const stdin = input ? fifo.sandbox : '/dev/null';
    session.shell.stdin?.write(
      `{ . ${quoted(script.sandbox)}; } < ${quoted(stdin)} >> ${quoted(out.sandbox)} 2>> ${quoted(err.sandbox)}; printf '%s %s %s\\n' '${MARKER}' '${id}' "$?"\n`,
    );
    return command;
  }

  command(sandboxId: string, sessionId: string, cmdId: string): SessionCommand {
    const command = this.get(sandboxId, sessionId).commands.find((c) => c.id === cmdId);
    if (!command) throw notFound(`Command ${cmdId} not found in session ${sessionId}: getSession lists its commands.`, 'PROCESS_NOT_FOUND');
    return command;
  }

  describeCommand(sandboxId: string, sessionId: string, cmdId: string) {
    return describeCommand(this.command(sandboxId, sessionId, cmdId));
  }

  async logs(sandboxId: string, sessionId: string, cmdId: string) {
    const command = this.command(sandboxId, sessionId, cmdId);
    const [stdout, stderr] = await Promise.all([readText(command.stdoutFile), readText(command.stderrFile)]);
    return { output: stdout + stderr, stdout, stderr };
  }

  /** Reads what a command wrote since `offsets`, for the streaming logs endpoint. */
  async readNew(command: SessionCommand, offsets: { out: number; err: number }) {
    const [out, err] = await Promise.all([readFrom(command.stdoutFile, offsets.out), readFrom(command.stderrFile, offsets.err)]);
    offsets.out += out.length;
    offsets.err += err.length;
    return { out, err };
  }

  /** Feeds a running async command's stdin; like Daytona, adds a trailing newline and echoes it to stdout. */
  async sendInput(sandboxId: string, sessionId: string, cmdId: string, data: string): Promise<void> {
    const session = this.get(sandboxId, sessionId);
    const command = this.command(sandboxId, sessionId, cmdId);
    if (session.ended)
      throw new ApiError(410, `Session ${sessionId} has ended (its shell exited): delete it and create a new one.`, 'SESSION_ENDED');
    if (command.exitCode !== undefined || !session.finish.has(cmdId)) {
      throw new ApiError(
        410,
        `Command ${cmdId} has already completed${command.exitCode !== undefined ? ` with exit code ${command.exitCode}` : ''}: input can only go to a running command.`,
        'COMMAND_ALREADY_COMPLETED',
      );
    }
    if (!command.input) {
      throw conflict(`Command ${cmdId} runs synchronously, so its stdin is closed: start it with runAsync: true to send it input.`);
    }
    const line = data.endsWith('\n') ? data : `${data}\n`;
    // Echo first, so the log shows the input before whatever the command prints in reply.
    if (!command.suppressInputEcho) await appendFile(command.stdoutFile, line);
    command.input?.write(line);
  }

  /** Kills the session's shell and everything it started, then forgets it and its logs. */
  async delete(sandboxId: string, sessionId: string): Promise<void> {
    const session = this.get(sandboxId, sessionId);
    session.deleted = true;
    this.remove(sandboxId, session);
    const closed = new Promise<void>((resolve) => {
      if (session.ended || session.shell.exitCode !== null || session.shell.signalCode !== null) return resolve();
      session.shell.once('close', () => resolve());
      setTimeout(resolve, DELETE_WAIT_MS).unref(); // killed already; only its pipes may linger
    });
    this.exec.runner.kill(session.shell);
    await closed;
    await rm(this.hostLogDir(sandboxId, sessionId), { recursive: true, force: true });
  }

  private hostLogDir(sandboxId: string, sessionId: string): string {
    return join(this.exec.service.dirsOf(sandboxId).tmp, SESSION_DIR, sessionId);
  }
}

function describeCommand(command: SessionCommand) {
  return { id: command.id, command: command.command, ...(command.exitCode !== undefined ? { exitCode: command.exitCode } : {}) };
}

function describe(session: Session) {
  return { sessionId: session.id, commands: session.commands.map(describeCommand) };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

async function readFrom(file: string, offset: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const { size } = await handle.stat();
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size - offset);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
