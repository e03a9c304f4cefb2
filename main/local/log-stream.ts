import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { tokensEqual } from './auth.ts';
import type { SandboxService } from './sandbox-service.ts';
import type { SessionCommand, SessionManager } from './toolbox/sessions.ts';
import { unsupportedCloseReason, unsupportedOperation } from './unsupported.ts';

const LOGS_PATH = /^\/toolbox\/([^/]+)\/process\/session\/([^/]+)\/command\/([^/]+)\/logs$/;
const ENTRYPOINT_LOGS_PATH = /^\/toolbox\/([^/]+)\/process\/session\/entrypoint\/logs$/;
const STDOUT_PREFIX = Buffer.from([1, 1, 1]);
const STDERR_PREFIX = Buffer.from([2, 2, 2]);
const POLL_MS = 50;
/** A follower counts as sandbox activity (auto-stop), refreshed at most this often. */
const TOUCH_MS = 10_000;

/**
 * `…/command/{cid}/logs?follow=true` over WebSocket: binary frames, stdout chunks prefixed 0x01×3 and
 * stderr 0x02×3 (the SDK's stdDemuxStream), closed once the command has finished and all output is sent.
 * Without `follow=true` it sends what is there and closes.
 */
/** Another toolbox WebSocket route (e.g. PTYs): handles the upgrade and returns true when the path is its own. */
export type UpgradeRoute = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: URL,
  reject: (status: number, message: string) => void,
) => boolean;

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 410: 'Gone' };

export function attachLogStreams(
  http: HttpServer,
  apiKey: string,
  service: SandboxService,
  sessions: SessionManager,
  routes: UpgradeRoute[] = [],
): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = LOGS_PATH.exec(url.pathname);
    const entrypoint = ENTRYPOINT_LOGS_PATH.exec(url.pathname);
    // Socket.IO handles its own path (and its own authentication).
    if (!match && !entrypoint && url.pathname.startsWith('/api/socket.io/')) return;
    const reject = (status: number, reason: string, message: string) => {
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`,
      );
    };
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('DAYTONA_SANDBOX_AUTH_KEY') ?? '';
    if (!tokensEqual(token, apiKey)) return reject(401, 'Unauthorized', 'Unauthorized: send the API key as a Bearer token.');
    const rejectStatus = (status: number, message: string) => reject(status, STATUS_TEXT[status] ?? 'Error', message);
    if (!match && !entrypoint && routes.some((route) => route(req, socket, head, url, rejectStatus))) return;
    if (!match && !entrypoint) {
      // A Daytona operation this provider does not do (the code interpreter, PTYs) is accepted and closed with a
      // reason naming it, which the SDK raises; nothing else upgrades.
      const inner = /^\/toolbox\/[^/]+(\/.*)$/.exec(url.pathname)?.[1];
      const operation = inner && unsupportedOperation('toolbox', 'GET', inner);
      if (!operation) return void socket.destroy();
      const reason = unsupportedCloseReason(operation, inner);
      wss.handleUpgrade(req, socket, head, (ws) => {
        // The SDK's PTY handle reads an error control message, its code interpreter the close reason.
        ws.send(JSON.stringify({ type: 'control', status: 'error', error: reason }), () => ws.close(1008, reason));
      });
      return;
    }
    if (entrypoint) {
      // Local sandboxes have no image entrypoint: its log is empty (as GET …/entrypoint/logs says).
      try {
        service.requireStarted(decodeURIComponent(entrypoint[1]!));
      } catch (error) {
        return reject(404, 'Not Found', error instanceof Error ? error.message : 'Not Found');
      }
      wss.handleUpgrade(req, socket, head, (ws) => ws.close(1000, 'no entrypoint'));
      return;
    }
    let sandboxId: string;
    let command: SessionCommand;
    try {
      sandboxId = service.requireStarted(decodeURIComponent(match![1]!)).id;
      command = sessions.command(sandboxId, decodeURIComponent(match![2]!), decodeURIComponent(match![3]!));
    } catch (error) {
      const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 404;
      return reject(status, status === 409 ? 'Conflict' : 'Not Found', error instanceof Error ? error.message : 'Not Found');
    }
    const follow = url.searchParams.get('follow') === 'true';
    wss.handleUpgrade(req, socket, head, (ws) => {
      pump(ws, command, follow, sessions, () => {
        try {
          service.touch(service.get(sandboxId));
        } catch {
          // the sandbox is gone; the command's end closes the stream
        }
      }).catch(() => ws.terminate());
    });
  });
}

async function pump(ws: WebSocket, command: SessionCommand, follow: boolean, sessions: SessionManager, touch: () => void): Promise<void> {
  const offsets = { out: 0, err: 0 };
  let finished = false;
  void command.done.then(() => {
    finished = true;
  });
  let closed = false;
  ws.on('close', () => {
    closed = true;
  });
  ws.on('error', () => {
    closed = true;
  });
  let touchedAt = 0;
  while (!closed) {
    // Read after noting `finished`, so output written just before the end is still sent.
    const wasFinished = finished || !follow;
    const { out, err } = await sessions.readNew(command, offsets);
    if (closed) break;
    if (out.length) ws.send(Buffer.concat([STDOUT_PREFIX, out]));
    if (err.length) ws.send(Buffer.concat([STDERR_PREFIX, err]));
    if (wasFinished && !out.length && !err.length) break;
    if (Date.now() - touchedAt > TOUCH_MS) {
      touchedAt = Date.now();
      touch();
    }
    if (!out.length && !err.length) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (!closed) ws.close(1000, 'command finished');
}
