import { timingSafeEqual } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError } from '../errors.ts';
import type { SandboxRecord } from '../sandbox-record.ts';
import { parsePreviewHost, type PreviewLinks } from './preview-links.ts';

/** Daytona's header for a private sandbox's preview token (https://www.daytona.io/docs/en/preview-and-authentication). */
export const PREVIEW_TOKEN_HEADER = 'x-daytona-preview-token';
const LOOPBACK = '127.0.0.1';
/** How long the way into a sandbox may take to open before the request gets a 504. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface PreviewProxyDeps {
  links: PreviewLinks;
  /** The sandbox by id; throws ApiError 404 when there is none. */
  sandbox(id: string): SandboxRecord;
  /** A connection to 127.0.0.1:<port> inside a started sandbox (ECONNREFUSED when nothing listens). */
  connect(id: string, port: number): Promise<Socket>;
  log(line: string): void;
}

export interface PreviewProxy {
  port: number;
  close(): Promise<void>;
}

/**
 * The preview proxy on the host's loopback: `http://<port>-<sandboxId>.localhost:<proxy port>/` reaches
 * 127.0.0.1:<port> inside that sandbox (its own network namespace, where it has one), for plain requests,
 * streamed bodies and WebSocket upgrades alike. A private sandbox needs its preview token in the
 * x-daytona-preview-token header; a signed URL (`<port>-<token>.localhost`) carries it; a public one needs none.
 */
export async function startPreviewProxy(deps: PreviewProxyDeps, port = 0): Promise<PreviewProxy> {
  const server = createServer((req, res) => {
    void handle(deps, req, res).catch((error: unknown) => fail(res, error));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    void upgrade(deps, req, socket, head).catch((error: unknown) => {
      const status = error instanceof ApiError ? error.status : 502;
      socket.end(
        `HTTP/1.1 ${status} Preview Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${messageOf(error)}\n`,
      );
    });
  });
  const sockets = new Set<Duplex>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Who the request is for, once it may go there: the sandbox id and the port inside it. */
function authorize(deps: PreviewProxyDeps, req: IncomingMessage): { id: string; port: number } {
  const target = parsePreviewHost(req.headers.host);
  if (!target) {
    throw new ApiError(
      400,
      "This is the local provider's preview proxy: open http://<port>-<sandbox id>.localhost:<proxy port>/ (get the link with getPreviewLink or the preview_link tool).",
    );
  }
  const signed = deps.links.resolveSigned(target.label, target.port);
  if (signed === 'expired')
    throw new ApiError(
      403,
      'This signed preview URL has expired: ask for a new one (getSignedPreviewUrl, or preview_link with signed: true).',
    );
  if (signed) return { id: signed.sandboxId, port: target.port };
  let record: SandboxRecord;
  try {
    record = deps.sandbox(target.label);
  } catch {
    throw new ApiError(
      404,
      `No sandbox and no signed preview URL answers to ${target.label}: check the link (signed URLs end when the provider restarts).`,
    );
  }
  if (record.id !== target.label)
    throw new ApiError(404, `Preview links name the sandbox by id, not by name: use the URL that getPreviewLink returns.`);
  if (!record.public && !sameToken(req.headers[PREVIEW_TOKEN_HEADER], record.authToken)) {
    throw new ApiError(
      401,
      `Sandbox ${record.id} is private: send its preview token in the ${PREVIEW_TOKEN_HEADER} header, or use a signed preview URL.`,
    );
  }
  return { id: record.id, port: target.port };
}

function sameToken(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Opens the way into the sandbox, turning "nothing listens" and slowness into clear errors. */
async function open(deps: PreviewProxyDeps, id: string, port: number): Promise<Socket> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new ApiError(504, `Port ${port} of sandbox ${id} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s.`)),
      CONNECT_TIMEOUT_MS,
    );
  });
  const connecting = deps.connect(id, port);
  try {
    return await Promise.race([connecting, timeout]);
  } catch (error) {
    void connecting.then(
      (socket) => socket.destroy(),
      () => {},
    );
    if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
      throw new ApiError(
        502,
        `Nothing listens on port ${port} in sandbox ${id}: start the server there (on 0.0.0.0 or 127.0.0.1), then reload.`,
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The request's headers for the sandbox: as sent, minus the preview token (the app inside has no use for it). */
function forwardedHeaders(req: IncomingMessage): string[] {
  const headers: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === PREVIEW_TOKEN_HEADER) continue;
    headers.push(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  }
  return headers;
}

async function handle(deps: PreviewProxyDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { id, port } = authorize(deps, req);
  const socket = await open(deps, id, port);
  const upstream = request({ method: req.method, path: req.url, headers: forwardedHeaders(req), createConnection: () => socket });
  upstream.once('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
    // Streamed as it comes (server-sent events, chunked downloads): no buffering here.
    answer.pipe(res);
    answer.once('error', () => res.destroy());
  });
  upstream.once('error', (error) => {
    socket.destroy();
    if (res.headersSent) res.destroy();
    else fail(res, new ApiError(502, `Sandbox ${id} closed the connection on port ${port}: ${error.message}`));
  });
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/** A WebSocket (or any Upgrade): the request goes in as it came, then bytes flow both ways untouched. */
async function upgrade(deps: PreviewProxyDeps, req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
  const { id, port } = authorize(deps, req);
  const socket = await open(deps, id, port);
  const headers = forwardedHeaders(req);
  let text = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
  socket.write(`${text}\r\n`);
  if (head.length > 0) socket.write(head);
  socket.on('error', () => client.destroy());
  client.on('error', () => socket.destroy());
  socket.once('close', () => client.destroy());
  client.once('close', () => socket.destroy());
  socket.pipe(client);
  client.pipe(socket);
}

function fail(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = error instanceof ApiError ? error.status : 502;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${messageOf(error)}\n`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
