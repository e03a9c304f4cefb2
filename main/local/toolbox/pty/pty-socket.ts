import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { SandboxRecord } from '../../sandbox-record.ts';
import type { SandboxService } from '../../sandbox-service.ts';
import { MAX_PTY_SIZE, type PtyClient, type PtyExit, type PtySession, type PtySessions } from './pty-sessions.ts';

const CREATE_CONNECT = /^\/toolbox\/([^/]+)\/process\/pty\/create-connect$/;
const CONNECT = /^\/toolbox\/([^/]+)\/process\/pty\/([^/]+)\/connect$/;
const ENVS_PROTOCOL = 'X-Daytona-Pty-Envs~';
const EXIT_CONTROL_PROTOCOL = 'X-Daytona-Pty-Exit-Control';
/** Input larger than this per message is refused (the daemon's read limit). */
const MAX_INPUT_BYTES = 64 * 1024;
/** A client this far behind on output is dropped, as the daemon drops a slow one, rather than buffered without end. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Typing counts as sandbox activity (auto-stop), refreshed at most this often. */
const TOUCH_MS = 10_000;

export interface PtySocketDeps {
  service: SandboxService;
  ptys: PtySessions;
}

/** Refuses an upgrade with an HTTP answer, before any WebSocket exists. */
type Reject = (status: number, message: string) => void;

/**
 * The PTY WebSocket routes: `…/process/pty/create-connect?id&cols&rows[&cwd]` (envs in the subprotocol
 * `X-Daytona-Pty-Envs~<base64url JSON>`) and `…/process/pty/{id}/connect`. Frames as Daytona's daemon sends them:
 * a text control message `{"type":"control","status":"connected"}`, then binary terminal output; the client's
 * frames (text or binary) are typed input. At the end a text `{"type":"control","status":"exited","exitCode"}` and a
 * close whose reason is `{"exitCode","exitReason"}`. Returns false for any other path. Authentication is the caller's.
 */
export function ptyUpgrade(deps: PtySocketDeps) {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_INPUT_BYTES,
    // Answer with one of the offered subprotocols (the ws client requires it), preferably the exit-control one.
    handleProtocols: (protocols) => (protocols.has(EXIT_CONTROL_PROTOCOL) ? EXIT_CONTROL_PROTOCOL : ([...protocols][0] ?? false)),
  });
  return (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, reject: Reject): boolean => {
    const create = CREATE_CONNECT.exec(url.pathname);
    const connect = create ? undefined : CONNECT.exec(url.pathname);
    if (!create && !connect) return false;
    let record: SandboxRecord;
    try {
      record = deps.service.requireStarted(decodeURIComponent((create ?? connect)![1]!));
    } catch (error) {
      reject(statusOf(error, 404), messageOf(error));
      return true;
    }
    if (create) {
      let request: Parameters<PtySessions['create']>[1];
      try {
        request = createRequest(url, req.headers['sec-websocket-protocol']);
      } catch (error) {
        reject(400, messageOf(error));
        return true;
      }
      if (deps.ptys.list(record.id).some((info) => info.id === request.id)) {
        reject(409, `PTY session with ID '${request.id}' already exists: connect to it (process.connectPty) or pick another id.`);
        return true;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        deps.ptys.create(record, request).then(
          (session) => attach(deps, record, session, ws),
          (error: unknown) => sendError(ws, `Failed to start PTY session: ${messageOf(error)}`),
        );
      });
      return true;
    }
    const id = decodeURIComponent(connect![2]!);
    wss.handleUpgrade(req, socket, head, (ws) => {
      let session: PtySession;
      try {
        session = deps.ptys.get(record.id, id);
      } catch (error) {
        sendError(ws, `Failed to connect to PTY session: ${messageOf(error)}`);
        return;
      }
      deps.ptys.start(record, session).then(
        () => attach(deps, record, session, ws),
        (error: unknown) => sendError(ws, `Failed to connect to PTY session: ${messageOf(error)}`),
      );
    });
    return true;
  };
}

function createRequest(url: URL, protocolHeader: string | undefined): Parameters<PtySessions['create']>[1] {
  const id = url.searchParams.get('id') ?? '';
  if (!id) throw new Error("session ID is required (query param 'id')");
  const number = (name: string, fallback: number) => {
    const value = url.searchParams.get(name);
    if (value === null || value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1 || parsed >= MAX_PTY_SIZE)
      throw new Error(`'${name}' must be a whole number from 1 to ${MAX_PTY_SIZE - 1}, not '${value}'`);
    return parsed;
  };
  const cwd = url.searchParams.get('cwd') || undefined;
  return { id, cols: number('cols', 80), rows: number('rows', 24), cwd, envs: envsOf(protocolHeader) };
}

/** The envs the SDK passes as a subprotocol token: base64url (no padding) of a JSON object of strings. */
function envsOf(header: string | undefined): Record<string, string> {
  const token = (header ?? '')
    .split(',')
    .map((part) => part.trim())
    .find((part) => part.startsWith(ENVS_PROTOCOL));
  if (!token) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token.slice(ENVS_PROTOCOL.length), 'base64url').toString('utf8'));
  } catch {
    throw new Error('invalid envs subprotocol: not base64url-encoded JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((value) => typeof value !== 'string'))
    throw new Error('invalid envs subprotocol: expected an object of strings');
  return parsed as Record<string, string>;
}

function attach(deps: PtySocketDeps, record: SandboxRecord, session: PtySession, ws: WebSocket): void {
  if (session.ended || ws.readyState !== ws.OPEN) {
    // It exited (or the client left) before the client could be attached.
    if (session.ended) sendError(ws, `Failed to connect to PTY session: PTY session '${session.info.id}' has terminated`);
    return;
  }
  const client: PtyClient = {
    send(data) {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        session.clients.delete(client);
        ws.close(1008, 'slow consumer');
        return;
      }
      ws.send(data);
    },
    end(exit) {
      closeWithExit(ws, exit);
    },
  };
  session.clients.add(client);
  ws.send(JSON.stringify({ type: 'control', status: 'connected' }));
  let touchedAt = 0;
  ws.on('message', (data: RawData) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    session.pty?.write(bytes);
    if (Date.now() - touchedAt > TOUCH_MS) {
      touchedAt = Date.now();
      try {
        deps.service.touch(deps.service.get(record.id));
      } catch {
        // the sandbox is gone; the shell's end closes this socket
      }
    }
  });
  ws.on('close', () => session.clients.delete(client));
  ws.on('error', () => session.clients.delete(client));
}

function closeWithExit(ws: WebSocket, exit: PtyExit): void {
  if (ws.readyState !== ws.OPEN) return;
  if (exit.control)
    ws.send(
      JSON.stringify({
        type: 'control',
        status: 'exited',
        exitCode: exit.exitCode,
        ...(exit.controlReason ? { exitReason: exit.controlReason } : {}),
      }),
    );
  const reason = JSON.stringify({ exitCode: exit.exitCode, ...(exit.closeReason ? { exitReason: exit.closeReason } : {}) });
  ws.close(exit.exitCode === 0 ? 1000 : 1011, reason);
}

/** The daemon's answer to a connect that cannot be served: an error control message, then close. */
function sendError(ws: WebSocket, message: string): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(JSON.stringify({ type: 'control', status: 'error', error: message }), () => ws.close(1011, message.slice(0, 120)));
}

function statusOf(error: unknown, fallback: number): number {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : fallback;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
