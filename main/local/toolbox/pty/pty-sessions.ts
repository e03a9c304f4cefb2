import { constants } from 'node:os';
import { ApiError, badRequest, conflict, notFound } from '../../errors.ts';
import type { SandboxRecord } from '../../sandbox-record.ts';
import type { SandboxPty } from '../../sandbox-runner/index.ts';
import { daemonShell } from '../daemon-shell.ts';
import { cwdExists, sandboxCwd, type SandboxExec } from '../run-command.ts';
import { SESSION_ID } from '../sessions.ts';

/** Daytona's PtySessionInfo (@daytona/toolbox-api-client). */
export interface PtySessionInfo {
  id: string;
  cwd: string;
  envs: Record<string, string>;
  cols: number;
  rows: number;
  createdAt: string;
  active: boolean;
  lazyStart: boolean;
}

export interface PtyCreate {
  id: string;
  cwd?: string | undefined;
  envs?: Record<string, string> | undefined;
  cols?: number | undefined;
  rows?: number | undefined;
  lazyStart?: boolean | undefined;
}

/** How a session's end reaches its clients: the exit code and Daytona's wording of why. */
export interface PtyExit {
  exitCode: number;
  /** For the "exited" control message (the daemon's, e.g. "(SIGKILL)"); none for a clean exit. */
  controlReason?: string | undefined;
  /** For the close frame's JSON (e.g. "SIGKILL"); none for a clean exit. */
  closeReason?: string | undefined;
  /** False when the session was killed: the daemon then only closes, without an "exited" message. */
  control: boolean;
}

/** One attached WebSocket, as the session sees it. */
export interface PtyClient {
  send(data: Buffer): void;
  end(exit: PtyExit): void;
}

export interface PtySession {
  readonly sandboxId: string;
  readonly info: PtySessionInfo;
  pty?: SandboxPty | undefined;
  readonly clients: Set<PtyClient>;
  ended: boolean;
}

/** The daemon's limit for cols and rows. */
export const MAX_PTY_SIZE = 1000;
const DEFAULT_COLS = 80;
const DEFAULT_ROWS = 24;
/** The shell a PTY runs, as the daemon picks it, interactive and login (apps/daemon/pkg/toolbox/process/pty/session.go). */
const PTY_SHELL = [daemonShell(), '-i', '-l'];
const SIGNALS: Record<number, string> = { 130: 'Ctrl+C', 137: 'SIGKILL', 143: 'SIGTERM' };

/** The daemon's description of an exit code, for the control message and for the close frame. */
export function describeExit(exitCode: number, control = true): PtyExit {
  if (exitCode === 0) return { exitCode, control };
  const close = SIGNALS[exitCode] ?? (exitCode > 128 ? `signal ${exitCode - 128}` : 'non-zero exit');
  const reason = exitCode === 130 ? '(SIGINT - Ctrl+C)' : `(${close})`;
  return { exitCode, controlReason: reason, closeReason: close, control };
}

export function checkSize(cols: number, rows: number): void {
  if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 1 || rows < 1 || cols > MAX_PTY_SIZE || rows > MAX_PTY_SIZE)
    throw badRequest(`Invalid terminal size ${cols}x${rows}: cols and rows must be whole numbers from 1 to ${MAX_PTY_SIZE - 1}.`);
}

/**
 * Daytona's PTY sessions of each sandbox: an interactive login shell on a terminal of its own, inside the sandbox
 * (RunningSandbox.spawnPty), that WebSocket clients attach to. As on the daemon, output goes to the clients attached
 * at the time (nothing is kept for later ones), input from any of them goes to the shell, and a session is gone
 * from the list once its shell has exited or it was killed.
 */
export class PtySessions {
  private readonly sandboxes = new Map<string, Map<string, PtySession>>();
  private readonly exec: SandboxExec;

  constructor(exec: SandboxExec) {
    this.exec = exec;
  }

  list(sandboxId: string): PtySessionInfo[] {
    return [...(this.sandboxes.get(sandboxId)?.values() ?? [])].map((session) => ({ ...session.info }));
  }

  get(sandboxId: string, id: string): PtySession {
    const session = this.sandboxes.get(sandboxId)?.get(id);
    if (!session)
      throw notFound(`PTY session ${id} not found: create it first (process.createPty), or list them (process.listPtySessions).`);
    return session;
  }

  /** Registers a session and, unless lazyStart, starts its shell. */
  async create(record: SandboxRecord, request: PtyCreate): Promise<PtySession> {
    if (!SESSION_ID.test(request.id))
      throw badRequest(
        `Invalid PTY session id '${request.id}': use 1-128 letters, digits, dots, dashes or underscores, starting with a letter or digit.`,
      );
    const cols = request.cols ?? DEFAULT_COLS;
    const rows = request.rows ?? DEFAULT_ROWS;
    checkSize(cols, rows);
    const cwd = sandboxCwd(request.cwd);
    if (!(await cwdExists(this.exec, record, cwd)))
      throw badRequest(`Working directory ${cwd} does not exist in the sandbox: create it first (fs.createFolder) or pass another cwd.`);
    let sessions = this.sandboxes.get(record.id);
    if (!sessions) this.sandboxes.set(record.id, (sessions = new Map()));
    if (sessions.has(request.id))
      throw conflict(`PTY session with ID '${request.id}' already exists: connect to it (process.connectPty) or pick another id.`);
    const session: PtySession = {
      sandboxId: record.id,
      info: {
        id: request.id,
        cwd,
        envs: { TERM: 'xterm-256color', ...request.envs },
        cols,
        rows,
        createdAt: new Date().toISOString(),
        active: false,
        lazyStart: request.lazyStart ?? false,
      },
      clients: new Set(),
      ended: false,
    };
    sessions.set(request.id, session);
    if (!session.info.lazyStart) await this.start(record, session);
    return session;
  }

  /** Starts a session's shell (a lazy one on its first connect); the session goes away if it cannot start. */
  async start(record: SandboxRecord, session: PtySession): Promise<void> {
    if (session.pty || session.ended) return;
    const env = { ...(this.exec.envOf?.(record) ?? record.env), ...this.exec.desktopEnvOf?.(record.id), ...session.info.envs };
    let pty: SandboxPty;
    try {
      pty = await this.exec.service.spawnPty(record.id, PTY_SHELL, {
        cwd: session.info.cwd,
        env,
        cols: session.info.cols,
        rows: session.info.rows,
      });
    } catch (error) {
      this.remove(session);
      if (error instanceof ApiError) throw error;
      throw new ApiError(500, `Could not start the PTY session's shell: ${error instanceof Error ? error.message : String(error)}`);
    }
    session.pty = pty;
    session.info.active = true;
    pty.onData((data) => {
      for (const client of session.clients) client.send(data);
    });
    pty.onExit(({ exitCode, signal }) => {
      this.finish(session, describeExit(signal ? 128 + (constants.signals[signal] ?? 0) : exitCode));
    });
  }

  resize(sandboxId: string, id: string, cols: number, rows: number): PtySessionInfo {
    checkSize(cols, rows);
    const session = this.get(sandboxId, id);
    if (!session.info.active && !session.info.lazyStart)
      throw new ApiError(410, `PTY session '${id}' has terminated and cannot be resized: create a new one.`);
    session.info.cols = cols;
    session.info.rows = rows;
    session.pty?.resize(cols, rows);
    return { ...session.info };
  }

  /** Ends the session's shell and everything it started; its clients are told exit code 137, as the daemon does. */
  kill(sandboxId: string, id: string): void {
    const session = this.get(sandboxId, id);
    this.finish(session, describeExit(137, false));
    session.pty?.kill();
  }

  private finish(session: PtySession, exit: PtyExit): void {
    if (session.ended) return;
    session.ended = true;
    session.info.active = false;
    this.remove(session);
    for (const client of session.clients) client.end(exit);
    session.clients.clear();
  }

  private remove(session: PtySession): void {
    const sessions = this.sandboxes.get(session.sandboxId);
    if (sessions?.get(session.info.id) === session) sessions.delete(session.info.id);
    if (sessions?.size === 0) this.sandboxes.delete(session.sandboxId);
  }
}
