import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { tokensEqual } from './auth.ts';
import type { SandboxService } from './sandbox-service.ts';
import type { SessionManager } from './toolbox/sessions.ts';

const LOGS_PATH = /^\/toolbox\/([^/]+)\/process\/session\/([^/]+)\/command\/([^/]+)\/logs$/;
const STDOUT_PREFIX = Buffer.from([1, 1, 1]);
const STDERR_PREFIX = Buffer.from([2, 2, 2]);
const POLL_MS = 50;

/**
 * `…/command/{cid}/logs?follow=true` over WebSocket: binary frames, stdout chunks prefixed 0x01×3 and
 * stderr 0x02×3 (the SDK's stdDemuxStream), closed once the command has finished and all output is sent.
 */
export function attachLogStreams(http: HttpServer, apiKey: string, service: SandboxService, sessions: SessionManager): void {
  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = LOGS_PATH.exec(url.pathname);
    if (!match) {
      if (!url.pathname.startsWith('/api/socket.io/')) socket.destroy();
      return;
    }
    const reject = (status: number, message: string) => {
      socket.end(`HTTP/1.1 ${status} ${message}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
    };
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('DAYTONA_SANDBOX_AUTH_KEY') ?? '';
    if (!tokensEqual(token, apiKey)) return reject(401, 'Unauthorized');
    let command;
    try {
      const record = service.requireStarted(decodeURIComponent(match[1]!));
      command = sessions.command(record.id, decodeURIComponent(match[2]!), decodeURIComponent(match[3]!));
    } catch (error) {
      return reject(404, error instanceof Error ? error.message : 'Not Found');
    }
    const found = command;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const offsets = { out: 0, err: 0 };
      let finished = false;
      void found.done.then(() => { finished = true; });
      let closed = false;
      ws.on('close', () => { closed = true; });
      const pump = async () => {
        while (!closed) {
          const wasFinished = finished;
          const { out, err } = await sessions.readNew(found, offsets);
          if (out.length) ws.send(Buffer.concat([STDOUT_PREFIX, out]));
          if (err.length) ws.send(Buffer.concat([STDERR_PREFIX, err]));
          if (wasFinished && !out.length && !err.length) break;
          if (!out.length && !err.length) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
        if (!closed) ws.close(1000, 'command finished');
      };
      pump().catch(() => ws.terminate());
    });
  });
}
