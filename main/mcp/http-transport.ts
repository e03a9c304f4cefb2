import { randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { bearerGuard, hostAndOriginGuard, rpcError } from './http-guards.ts';
import type { Logger } from './log.ts';

/** The only address this server ever binds: there is deliberately no option to change it. */
export const LOOPBACK_HOST = '127.0.0.1';
export const MCP_PATH = '/mcp';

export interface HttpServerOptions {
  /** A fresh MCP server for each session (an McpServer serves one transport). */
  createSession(): McpServer;
  log: Logger;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to a random 256-bit token. */
  token?: string;
  /** Largest request body accepted (default 12 MiB: inline uploads are capped at 8 MiB of text). */
  maxBodyBytes?: number;
  /** Sessions idle this long are closed (default 1 h); a client that comes back gets 404 and re-initializes. */
  sessionIdleMs?: number;
  maxSessions?: number;
}

export interface HttpMcpServer {
  url: string;
  port: number;
  token: string;
  http: HttpServer;
  sessionCount(): number;
  /** Closes every session and the listener. */
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  lastSeen: number;
}

/**
 * Streamable HTTP at http://127.0.0.1:PORT/mcp with one MCP session per client: Host and Origin checked first
 * (403), then the bearer token (401), then a capped JSON body. `/health` answers `{"status":"ok"}` without a token.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpMcpServer> {
  const { log } = options;
  const token = options.token ?? randomBytes(32).toString('base64url');
  log.addSecret(token);
  const maxBodyBytes = options.maxBodyBytes ?? 12 * 1024 * 1024;
  const sessionIdleMs = options.sessionIdleMs ?? 60 * 60_000;
  const maxSessions = options.maxSessions ?? 64;
  const sessions = new Map<string, Session>();
  let port = 0;
  let closing = false;

  const closeSession = async (id: string, why: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    log.info(`session ${id.slice(0, 8)} closed (${why}); ${sessions.size} open`);
    await session.server.close().catch(() => {});
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', false);
  app.use(hostAndOriginGuard(() => port, log));
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(MCP_PATH, bearerGuard(token, log));

  app.post(MCP_PATH, express.json({ limit: maxBodyBytes, type: () => true }), async (req: Request, res: Response) => {
    const sessionId = req.header('mcp-session-id');
    if (sessionId !== undefined) {
      const session = sessions.get(sessionId);
      if (!session) {
        res.status(404).json(rpcError(-32001, 'Session not found (the server restarted or the session expired): send initialize to start a new one.'));
        return;
      }
      session.lastSeen = Date.now();
      await session.transport.handleRequest(req, res, req.body);
      return;
    }
    if (!isInitializeRequest(req.body)) {
      res.status(400).json(rpcError(-32600, 'Bad Request: no mcp-session-id header. Send initialize first, then pass the session id it returns.'));
      return;
    }
    if (closing) {
      res.status(503).json(rpcError(-32000, 'The server is shutting down: retry in a moment.'));
      return;
    }
    if (sessions.size >= maxSessions) {
      res.status(503).json(rpcError(-32000, `Too many open sessions (${maxSessions}): close unused MCP clients, then retry.`));
      return;
    }
    const server = options.createSession();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, lastSeen: Date.now() });
        log.info(`session ${id.slice(0, 8)} opened; ${sessions.size} open`);
      },
      // DELETE /mcp: the client is done with the session.
      onsessionclosed: (id) => closeSession(id, 'closed by the client'),
    });
    transport.onclose = () => {
      if (transport.sessionId) void closeSession(transport.sessionId, 'transport closed');
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });

  const bySession = async (req: Request, res: Response) => {
    const session = sessions.get(req.header('mcp-session-id') ?? '');
    if (!session) {
      res.status(404).json(rpcError(-32001, 'Session not found: send initialize to start a new one.'));
      return;
    }
    session.lastSeen = Date.now();
    await session.transport.handleRequest(req, res);
  };
  app.get(MCP_PATH, bySession);
  app.delete(MCP_PATH, bySession);

  app.use((_req, res) => {
    res.status(404).json(rpcError(-32601, `Not found: the MCP endpoint is ${MCP_PATH}.`));
  });
  const onError: ErrorRequestHandler = (err: { type?: string; status?: number; message?: string }, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err.type === 'entity.too.large') {
      log.warn(`refused ${req.method} ${req.path}: body above ${maxBodyBytes} bytes`);
      res.status(413).json(rpcError(-32600, `Request body is larger than ${maxBodyBytes} bytes: send big files with localPath instead of inline content.`));
    } else if (err.type === 'entity.parse.failed') {
      res.status(400).json(rpcError(-32700, 'Parse error: the body is not valid JSON.'));
    } else {
      log.error(`internal error on ${req.method} ${req.path}: ${err.message ?? String(err)}`);
      res.status(500).json(rpcError(-32603, 'Internal error in the MCP server; see its log.'));
    }
  };
  app.use(onError);

  const http = createHttpServer(app);
  // Tool calls can run for an hour; SSE keep-alives flow meanwhile, so only idle sockets time out.
  http.requestTimeout = 0;
  http.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, LOOPBACK_HOST, () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;
  const url = `http://${LOOPBACK_HOST}:${port}${MCP_PATH}`;

  const reaper = setInterval(() => {
    const cutoff = Date.now() - sessionIdleMs;
    for (const [id, session] of sessions) if (session.lastSeen < cutoff) void closeSession(id, 'idle');
  }, Math.min(60_000, sessionIdleMs));
  reaper.unref();

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    token,
    http,
    sessionCount: () => sessions.size,
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
