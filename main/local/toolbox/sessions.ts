import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, conflict, notFound } from '../errors.ts';
import type { SandboxRecord } from '../sandbox-record.ts';
import { spawnInSandbox, type SandboxExec } from './run-command.ts';

export interface SessionCommand {
  id: string;
  command: string;
  exitCode?: number;
  /** Resolves with the exit code when the command finishes (or the session ends). */
  readonly done: Promise<number | undefined>;
  readonly stdoutFile: string;
  readonly stderrFile: string;
}

interface Session {
  id: string;
  shell: ChildProcess;
  commands: SessionCommand[];
  ended: boolean;
  finish: Map<string, (code: number | undefined) => void>;
}

const MARKER = '\u001eDAYTONA_TRAY_EXIT';
const SESSION_DIR = '.daytona-sessions';

/**
 * Daytona's process sessions: one long-lived shell per session, so `cd` and `export` carry over between
 * commands. Each command's stdout/stderr go to files under the sandbox's /tmp (the logs endpoint reads
 * them, also while the command runs); the shell reports each exit code on its own stdout, which carries
 * nothing else. Input sent to a command goes to the shell's stdin, which the running command reads.
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
    if (!session) throw notFound(`Session ${sessionId} not found: create it first with createSession.`, 'PROCESS_NOT_FOUND');
    return session;
  }

  list(sandboxId: string) {
    return [...this.of(sandboxId).values()].map(describe);
  }

  describe(sandboxId: string, sessionId: string) {
    return describe(this.get(sandboxId, sessionId));
  }

  async create(record: SandboxRecord, sessionId: string): Promise<void> {
    const sessions = this.of(record.id);
    if (sessions.has(sessionId)) throw conflict(`Session ${sessionId} already exists: pick another id or delete it first.`);
    await mkdir(this.hostLogDir(record.id, sessionId), { recursive: true, mode: 0o755 });
    const shellPath = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
    const shell = spawnInSandbox(this.exec, record, shellPath.endsWith('bash') ? [shellPath, '--noprofile', '--norc'] : [shellPath], {}, ['pipe', 'pipe', 'ignore']);
    const session: Session = { id: sessionId, shell, commands: [], ended: false, finish: new Map() };
    sessions.set(sessionId, session);
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
        const [cmdId, code] = line.slice(at + MARKER.length).trim().split(' ');
        if (cmdId) this.complete(session, cmdId, Number(code));
      }
    });
    shell.stdin?.on('error', () => {});
    shell.once('close', () => {
      session.ended = true;
      for (const cmdId of [...session.finish.keys()]) this.complete(session, cmdId, undefined);
    });
  }

  private complete(session: Session, cmdId: string, code: number | undefined): void {
    const command = session.commands.find((c) => c.id === cmdId);
    if (command && code !== undefined && Number.isFinite(code)) command.exitCode = code;
    session.finish.get(cmdId)?.(code);
    session.finish.delete(cmdId);
  }

  /** Queues a command in the session's shell and returns at once; await `done` for the exit code. */
  execute(record: SandboxRecord, sessionId: string, commandText: string): SessionCommand {
    const session = this.get(record.id, sessionId);
    if (session.ended) throw new ApiError(409, `Session ${sessionId} has ended (its shell exited): delete it and create a new one.`, 'SESSION_ENDED');
    const id = randomUUID();
    const logDir = this.exec.runner.visiblePath(`/tmp/${SESSION_DIR}/${sessionId}`, this.exec.service.dirsOf(record.id));
    let finish!: (code: number | undefined) => void;
    const done = new Promise<number | undefined>((resolve) => { finish = resolve; });
    const hostDir = this.hostLogDir(record.id, sessionId);
    const command: SessionCommand = { id, command: commandText, done, stdoutFile: join(hostDir, `${id}.out`), stderrFile: join(hostDir, `${id}.err`) };
    session.commands.push(command);
    session.finish.set(id, finish);
    const quoted = (p: string) => `'${p.replace(/'/g, `'\\''`)}'`;
    // A group, not a subshell: cd/export persist for the next command, as in Daytona's sessions.
    // The exit report shares the group's last line: bash parses the whole line before running it, so a
    // command that reads stdin gets the user's input, not our trailer.
    session.shell.stdin?.write(`{\n${commandText}\n} > ${quoted(`${logDir}/${id}.out`)} 2> ${quoted(`${logDir}/${id}.err`)}; printf '%s %s %s\\n' '${MARKER}' '${id}' "$?"\n`);
    return command;
  }

  command(sandboxId: string, sessionId: string, cmdId: string): SessionCommand {
    const command = this.get(sandboxId, sessionId).commands.find((c) => c.id === cmdId);
    if (!command) throw notFound(`Command ${cmdId} not found in session ${sessionId}.`, 'PROCESS_NOT_FOUND');
    return command;
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

  sendInput(sandboxId: string, sessionId: string, cmdId: string, data: string): void {
    const session = this.get(sandboxId, sessionId);
    const command = this.command(sandboxId, sessionId, cmdId);
    if (command.exitCode !== undefined || session.ended) {
      throw new ApiError(409, `Command ${cmdId} has already completed: input can only go to a running command.`, 'COMMAND_ALREADY_COMPLETED');
    }
    session.shell.stdin?.write(data);
  }

  delete(sandboxId: string, sessionId: string): void {
    const session = this.get(sandboxId, sessionId);
    this.exec.runner.kill(session.shell);
    this.of(sandboxId).delete(sessionId);
  }

  /** Forgets every session of a sandbox (its processes are killed by the stop/delete itself). */
  forget(sandboxId: string): void {
    this.sessions.delete(sandboxId);
  }

  private hostLogDir(sandboxId: string, sessionId: string): string {
    return join(this.exec.service.dirsOf(sandboxId).tmp, SESSION_DIR, sessionId);
  }
}

function describe(session: Session) {
  return {
    sessionId: session.id,
    commands: session.commands.map((c) => ({ id: c.id, command: c.command, ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}) })),
  };
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
