import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { contentTypeOf, rendererFileForPath } from '../app/renderer-protocol.ts';
import { BRIDGE_SOCKET_PATH } from '../../preload/web-wire.ts';
import type { SocketBridge } from './socket-bridge.ts';
import { createWebAccess, type WebAccess, type WebRefusal } from './web-access.ts';
import { CONTROL_LINK_PATH } from './web-instance.ts';
import { refusalPage, securityHeaders, WEB_PRELOAD_PATH, webCsp, webIndexHtml } from './web-page.ts';

export interface WebServerOptions {
  /** out/renderer: the built window, the same bundle Electron loads. */
  rendererDir: string;
  /** out/web-preload/web-preload.js. */
  webPreloadFile: string;
  /** 0 (default): a free port. */
  port?: number;
  /** With `port` 0: the port to try first (the last run's, so an open page finds the app again); a free one if taken. */
  preferredPort?: number;
  /** The session secret to admit (the last run's, so an open page's cookie still works); a new one when absent. */
  session?: string;
  /** The bearer token of POST /control/link, with which a second `app --web` gets a link to this one. */
  control?: string;
  bridge: SocketBridge;
  log(line: string): void;
}

export interface WebServer {
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** A link that admits one browser: the page's address with a new one-time token. */
  link(): string;
  access: WebAccess;
  /** Stops listening and closes every page's socket. */
  close(): Promise<void>;
}

/** A page's socket may send at most this much in one message (the largest request is an API key). */
const MAX_MESSAGE_BYTES = 1024 * 1024;
const LINK_USED =
  'This link was already used, or it is not from this run of Daytona Tray. Open the address `daytona-tray app` printed in the browser where you first opened it, or start `daytona-tray app` again for a new one.';
const NO_SESSION = 'Open Daytona Tray at the address `daytona-tray app` printed: it carries a one-time key that lets this browser in.';

/**
 * The web shell's server on 127.0.0.1: the renderer bundle and the web preload over HTTP, and the contract
 * over a WebSocket at /bridge. Every request and the upgrade pass the same checks, in this order: the Host
 * is ours (DNS rebinding), the Origin is ours when sent (always, for the upgrade), the session cookie is
 * there (or a one-time token is exchanged for it). Nothing else is served: no CORS, no methods but GET/HEAD.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const indexFile = rendererFileForPath('/index.html', options.rendererDir)!;
  const indexHtml = await readFile(indexFile, 'utf8').catch(() => {
    throw new Error(`The window is not built (${indexFile} is missing): run 'npm run build' first.`);
  });
  const page = Buffer.from(webIndexHtml(indexHtml));
  await readFile(options.webPreloadFile).catch(() => {
    throw new Error(`The web preload is not built (${options.webPreloadFile} is missing): run 'npm run build' first.`);
  });

  let access: WebAccess | undefined;
  let port = 0;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      options.log(`answering ${req.method} failed: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Daytona Tray could not answer this request.');
    });
  });
  server.on('upgrade', (req, socket, head) => upgrade(req, socket, head));
  server.on('clientError', (_error, socket) => socket.destroy());

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refuse = (refusal: WebRefusal, title: string) => {
      options.log(`refused ${req.method} ${pathOf(req)}: ${refusal.message}`);
      res.writeHead(refusal.status, { ...securityHeaders("default-src 'none'"), 'content-type': 'text/html; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : refusalPage(title, refusal.message));
    };
    const hostRefusal = access!.checkHostAndOrigin(req);
    if (hostRefusal) return refuse(hostRefusal, 'Refused');
    // The Host is ours from here on, so the policy may name it.
    const host = req.headers.host!.toLowerCase();
    const headers = securityHeaders(webCsp(host));
    if (pathOf(req) === CONTROL_LINK_PATH) return control(req, res, headers);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Only GET and HEAD are served here.');
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const token = url.searchParams.get('token');
    if (token !== null) {
      // The token leaves the address bar at once: a redirect to the same page without it.
      const redeemed = access!.redeemToken(token);
      if (!redeemed && !access!.hasSession(req)) return refuse({ status: 401, message: LINK_USED }, 'This link does not open Daytona Tray');
      res.writeHead(303, { ...headers, location: url.pathname, ...(redeemed ? { 'set-cookie': access!.sessionCookie() } : {}) });
      res.end();
      return;
    }
    if (!access!.hasSession(req)) return refuse({ status: 401, message: NO_SESSION }, 'Daytona Tray needs its link');

    if (url.pathname === '/' || url.pathname === '/index.html') {
      return send(res, req, headers, 'text/html; charset=utf-8', page);
    }
    const file = url.pathname === WEB_PRELOAD_PATH ? options.webPreloadFile : rendererFileForPath(url.pathname, options.rendererDir);
    const body = file ? await readFile(file).catch(() => undefined) : undefined;
    if (!file || !body) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found');
      return;
    }
    send(res, req, headers, contentTypeOf(file), body);
  }

  /** A second `app --web` asks for a link (no browser: a browser would send an Origin). */
  function control(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): void {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const allowed =
      req.method === 'POST' &&
      req.headers.origin === undefined &&
      options.control !== undefined &&
      bearer !== undefined &&
      sameSecret(bearer, options.control);
    if (!allowed) {
      options.log(`refused ${req.method} ${CONTROL_LINK_PATH}: not the control token`);
      res.writeHead(403, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end('Refused.');
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': 'application/json' });
    res.end(JSON.stringify({ url: link() }));
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const reject = (status: number, reason: string) => {
      options.log(`refused a WebSocket: ${reason}`);
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Forbidden'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
      );
    };
    const refusal = access!.checkHostAndOrigin(req, { requireOrigin: true });
    if (refusal) return reject(refusal.status, refusal.message);
    if (pathOf(req) !== BRIDGE_SOCKET_PATH) return reject(404, `no socket at ${pathOf(req)}`);
    if (!access!.hasSession(req)) return reject(401, 'no session cookie (the page was not opened through its link)');
    sockets.handleUpgrade(req, socket, head, (ws) => options.bridge.accept(ws, `${req.headers.origin}/`));
  }

  const listen = (at: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, '127.0.0.1', () => {
        server.off('error', reject);
        // The checks name the port, which is known only now (0 asks for a free one); no request is read before.
        const address = server.address();
        port = typeof address === 'object' && address ? address.port : 0;
        access = createWebAccess(port, options.session);
        resolve();
      });
    });
  const preferred = options.port ? undefined : options.preferredPort;
  await (preferred ? listen(preferred).catch(() => listen(0)) : listen(options.port ?? 0)).catch((error: NodeJS.ErrnoException) => {
    throw new Error(
      error.code === 'EADDRINUSE'
        ? `Port ${options.port} on 127.0.0.1 is in use: choose another with --port, or leave it out for a free one.`
        : `Could not listen on 127.0.0.1: ${error.message}`,
    );
  });
  const origin = `http://127.0.0.1:${port}`;
  function link(): string {
    return `${origin}/?token=${access!.issueToken()}`;
  }

  return {
    port,
    origin,
    access: access!,
    link,
    async close() {
      options.bridge.closeAll();
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      sockets.close();
    },
  };
}

function send(res: ServerResponse, req: IncomingMessage, headers: Record<string, string>, type: string, body: Buffer): void {
  res.writeHead(200, { ...headers, 'content-type': type, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The path alone, for logs and routing (a query may hold a token). */
function pathOf(req: IncomingMessage): string {
  const raw = req.url ?? '/';
  const query = raw.indexOf('?');
  return query < 0 ? raw : raw.slice(0, query);
}
