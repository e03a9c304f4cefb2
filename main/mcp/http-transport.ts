import { randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { checkBearer, checkHostAndOrigin, rpcError, type Refusal } from './http-guards.ts';
import type { Logger } from './log.ts';
import { TOOLS_HEADER } from './tools-header.ts';

/** The only address this server ever binds: there is deliberately no option to change it. */
export const LOOPBACK_HOST = '127.0.0.1';
export const MCP_PATH = '/mcp';
/** What a shared server serves and for which profile, for a tray that may adopt it (bearer token required). */
export const SERVER_INFO_PATH = '/server-info';

export interface HttpServerOptions {
  /**
   * A fresh MCP server for each session (an McpServer serves one transport). `tools`: the groups the client's
   * bridge asked for (TOOLS_HEADER on initialize), if it did. Throws (answered 400) for groups it does not know.
   */
  createSession(request: { tools?: string[] }): McpServer;
  log: Logger;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to a random 256-bit token. */
  token?: string;
  /** Largest request body accepted (default 12 MiB: inline uploads are capped at 8 MiB of text). */
  maxBodyBytes?: number;
  /** Sessions idle this long are closed (default 1 h); a client that comes back gets 404 and re-initializes. */
  sessionIdleMs?: number;
  /**
   * A session whose client held a notification stream (GET /mcp) and lost it is closed this long after, unless the
   * client reopens it or sends a request meanwhile (default 10 s): a killed bridge frees its session at once instead
   * of at idle expiry, so a shared server's grace period starts when its last client really went away.
   */
  streamLossMs?: number;
  maxSessions?: number;
  /**
   * Answers GET SERVER_INFO_PATH?nonce=... (with the bearer token): a shared server says what it serves, so a tray
   * starting meanwhile can adopt it. Without it the path is not found.
   */
  describe?(nonce: string): Promise<unknown>;
}

export interface HttpMcpServer {
  url: string;
  port: number;
  token: string;
  http: HttpServer;
  sessionCount(): number;
  /** POSTs whose answer has not ended: a shared server does not exit by grace while one runs. */
  requestsInFlight(): number;
  /** Tells `listener` the number of open sessions whenever one opens or closes (the shared server's idle exit). */
  onSessionCount(listener: (count: number) => void): void;
  /**
   * Lets the calls in flight finish (up to `timeoutMs`) while every other request on a session is answered 404, so
   * its client's bridge moves to the server that replaces this one; resolves when none is left or at the timeout.
   */
  drain(timeoutMs: number): Promise<void>;
  /** Closes every session and the listener. */
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  lastSeen: number;
  /** Open notification streams (GET /mcp): while one is open, the client is alive however idle it is. */
  streams: number;
  lossTimer?: NodeJS.Timeout | undefined;
}

/**
 * Streamable HTTP at http://127.0.0.1:PORT/mcp with one MCP session per client: Host and Origin checked first
 * (403), then the bearer token (401), then a capped JSON body (413). `/health` answers `{"status":"ok"}`
 * without a token. Plain node:http: a web framework would cost more memory than these four routes are worth.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpMcpServer> {
  const { log } = options;
  const token = options.token ?? randomBytes(32).toString('base64url');
  log.addSecret(token);
  const maxBodyBytes = options.maxBodyBytes ?? 12 * 1024 * 1024;
  const sessionIdleMs = options.sessionIdleMs ?? 60 * 60_000;
  const streamLossMs = options.streamLossMs ?? 10_000;
  const maxSessions = options.maxSessions ?? 64;
  const sessions = new Map<string, Session>();
  let port = 0;
  let closing = false;
  let draining = false;
  /** POSTs whose answer has not ended yet: calls in flight. */
  let inFlight = 0;
  let drained: (() => void) | undefined;
  let sessionListener: ((count: number) => void) | undefined;

  const closeSession = async (id: string, why: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    clearTimeout(session.lossTimer);
    log.info(`session ${id.slice(0, 8)} closed (${why}); ${sessions.size} open`);
    sessionListener?.(sessions.size);
    await session.server.close().catch(() => {});
  };

  const refuse = (req: IncomingMessage, res: ServerResponse, path: string, refusal: Refusal) => {
    log.warn(`refused ${req.method} ${path}: ${refusal.reason}`);
    send(res, refusal.status, refusal.body, refusal.headers);
  };

  async function post(req: IncomingMessage, res: ServerResponse): Promise<void> {
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) drained?.();
    });
    const body = await readJson(req, maxBodyBytes);
    if (!body.ok) {
      if (body.status === 413) log.warn(`refused POST ${MCP_PATH}: body above ${maxBodyBytes} bytes`);
      send(res, body.status, rpcError(body.status === 413 ? -32600 : -32700, body.message));
      return;
    }
    const sessionId = header(req, 'mcp-session-id');
    if (sessionId !== undefined) {
      const session = draining ? undefined : sessions.get(sessionId);
      if (!session) {
        send(
          res,
          404,
          rpcError(-32001, 'Session not found (the server restarted or the session expired): send initialize to start a new one.'),
        );
        return;
      }
      session.lastSeen = Date.now();
      // A request proves the client alive even if its stream dropped (some clients close it on purpose).
      clearTimeout(session.lossTimer);
      await session.transport.handleRequest(req, res, body.value);
      return;
    }
    if (!isInitializeRequest(body.value)) {
      send(
        res,
        400,
        rpcError(-32600, 'Bad Request: no mcp-session-id header. Send initialize first, then pass the session id it returns.'),
      );
      return;
    }
    if (closing || draining) {
      send(res, 503, rpcError(-32000, 'The server is shutting down: retry in a moment.'));
      return;
    }
    if (sessions.size >= maxSessions) {
      send(res, 503, rpcError(-32000, `Too many open sessions (${maxSessions}): close unused MCP clients, then retry.`));
      return;
    }
    const asked = header(req, TOOLS_HEADER);
    let server: McpServer;
    try {
      server = options.createSession(asked === undefined ? {} : { tools: asked.split(',').map((name) => name.trim()) });
    } catch (error) {
      send(res, 400, rpcError(-32602, `Bad Request: ${(error as Error).message}.`));
      return;
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, lastSeen: Date.now(), streams: 0 });
        log.info(`session ${id.slice(0, 8)} opened; ${sessions.size} open`);
        sessionListener?.(sessions.size);
      },
      // DELETE /mcp: the client is done with the session.
      onsessionclosed: (id) => closeSession(id, 'closed by the client'),
    });
    transport.onclose = () => {
      if (transport.sessionId) void closeSession(transport.sessionId, 'transport closed');
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body.value);
  }

  async function bySession(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const session = sessions.get(header(req, 'mcp-session-id') ?? '');
    if (!session) {
      req.resume();
      send(res, 404, rpcError(-32001, 'Session not found: send initialize to start a new one.'));
      return;
    }
    session.lastSeen = Date.now();
    // Watched before handing over: the transport's GET answer lasts as long as the stream.
    if (req.method === 'GET') watchStream(header(req, 'mcp-session-id')!, session, res);
    await session.transport.handleRequest(req, res);
  }

  /** Counts a notification stream while it is open, and arms the loss timer once the last one closes. */
  function watchStream(id: string, session: Session, res: ServerResponse): void {
    session.streams += 1;
    clearTimeout(session.lossTimer);
    res.once('close', () => {
      session.streams -= 1;
      // Only a stream that was open counts as lost (a refused GET, 406 or 409, says nothing about the client).
      if (res.statusCode !== 200 || session.streams > 0 || sessions.get(id) !== session || closing) return;
      session.lossTimer = setTimeout(() => void closeSession(id, 'its client went away: the notification stream closed'), streamLossMs);
      session.lossTimer.unref();
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const foreign = checkHostAndOrigin(req, port);
    if (foreign) {
      req.resume();
      refuse(req, res, path, foreign);
      return;
    }
    if (path === '/health') {
      req.resume();
      send(res, 200, { status: 'ok' });
      return;
    }
    const describe = path === SERVER_INFO_PATH ? options.describe : undefined;
    if (path !== MCP_PATH && !describe) {
      req.resume();
      send(res, 404, rpcError(-32601, `Not found: the MCP endpoint is ${MCP_PATH}.`));
      return;
    }
    const unauthorized = checkBearer(req, token);
    if (unauthorized) {
      req.resume();
      refuse(req, res, path, unauthorized);
      return;
    }
    if (describe) {
      req.resume();
      const nonce = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('nonce') ?? '';
      if (req.method !== 'GET' || nonce.length < 16)
        send(res, 400, rpcError(-32600, `Bad Request: GET ${SERVER_INFO_PATH}?nonce=<16+ chars>.`));
      else send(res, 200, await describe(nonce));
      return;
    }
    if (req.method === 'POST') await post(req, res);
    else if (req.method === 'GET' || req.method === 'DELETE') await bySession(req, res);
    else {
      req.resume();
      send(res, 405, rpcError(-32600, `Method ${req.method} is not allowed on ${MCP_PATH}: use POST, GET or DELETE.`), {
        allow: 'POST, GET, DELETE',
      });
    }
  }

  const http = createHttpServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      log.error(`internal error on ${req.method} ${req.url}: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) send(res, 500, rpcError(-32603, 'Internal error in the MCP server; see its log.'));
      else res.end();
    });
  });
  // Tool calls can run for an hour; SSE keep-alives flow meanwhile, so only idle sockets time out.
  http.requestTimeout = 0;
  http.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, LOOPBACK_HOST, () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;
  const url = `http://${LOOPBACK_HOST}:${port}${MCP_PATH}`;

  const reaper = setInterval(
    () => {
      const cutoff = Date.now() - sessionIdleMs;
      for (const [id, session] of sessions) if (session.streams === 0 && session.lastSeen < cutoff) void closeSession(id, 'idle');
    },
    Math.min(60_000, sessionIdleMs),
  );
  reaper.unref();

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    token,
    http,
    sessionCount: () => sessions.size,
    requestsInFlight: () => inFlight,
    onSessionCount(listener) {
      sessionListener = listener;
    },
    async drain(timeoutMs) {
      draining = true;
      if (inFlight === 0) return;
      log.info(
        `stopping: letting ${inFlight} call${inFlight === 1 ? '' : 's'} in flight finish (at most ${Math.round(timeoutMs / 1000)} s)`,
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
    close() {
      closed ??= (async () => {
        closing = true;
        clearInterval(reaper);
        const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
        await Promise.all([...sessions.keys()].map((id) => closeSession(id, 'server shutting down')));
        http.closeAllConnections();
        await stopped;
      })();
      return closed;
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

type BodyResult = { ok: true; value: unknown } | { ok: false; status: number; message: string };

/** Reads a JSON body of at most `limit` bytes (413 above it, 400 when it does not parse). */
function readJson(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const tooLarge: BodyResult = {
    ok: false,
    status: 413,
    message: `Request body is larger than ${limit} bytes: send big files with localPath instead of inline content.`,
  };
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      // Past the limit the rest is read and dropped, so the 413 reaches a client still sending; a client
      // that keeps going far beyond it is cut off.
      if (!over) chunks.push(chunk);
      else if (size > 4 * limit) req.destroy();
    });
    req.once('end', () => {
      if (over) {
        resolve(tooLarge);
        return;
      }
      try {
        resolve({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        resolve({ ok: false, status: 400, message: 'Parse error: the body is not valid JSON.' });
      }
    });
    req.once('error', () => resolve({ ok: false, status: 400, message: 'The request body could not be read.' }));
  });
}
