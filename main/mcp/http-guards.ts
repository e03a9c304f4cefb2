import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from './log.ts';

/** Only the exact addresses this server is reached at: anything else is a DNS-rebinding attempt or a mistake. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const value = host.trim().toLowerCase();
  return value === `127.0.0.1:${port}` || value === `localhost:${port}`;
}

const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Browsers send Origin; a page from anywhere but this machine must not drive the server (spec: 403). */
export function originAllowed(origin: string | undefined): boolean {
  if (origin === undefined) return true; // Not a browser (Node clients send none).
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // Includes the opaque "null" origin of sandboxed frames and file:// pages.
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTNAMES.has(url.hostname);
}

/** Compares `Authorization: Bearer <token>` in constant time (hashing first equalizes the lengths). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = createHash('sha256').update(match?.[1] ?? '').digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected) && match !== null;
}

/** JSON-RPC-shaped error body, so MCP clients show the message. */
export function rpcError(code: number, message: string) {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}

/** 403 for a foreign Host or Origin, before anything else runs (also for /health). */
export function hostAndOriginGuard(port: () => number, log: Logger): RequestHandler {
  return (req, res, next) => {
    if (!hostAllowed(req.headers.host, port())) {
      log.warn(`refused ${req.method} ${pathOf(req)}: Host '${req.headers.host ?? ''}' is not 127.0.0.1:${port()} or localhost:${port()}`);
      res.status(403).json(rpcError(-32000, 'Forbidden: this server only answers requests addressed to 127.0.0.1 or localhost with its own port.'));
      return;
    }
    const origin = req.headers.origin;
    if (!originAllowed(origin)) {
      log.warn(`refused ${req.method} ${pathOf(req)}: Origin '${origin}' is not a loopback origin`);
      res.status(403).json(rpcError(-32000, 'Forbidden: requests from web pages are not accepted (Origin is not this machine).'));
      return;
    }
    next();
  };
}

/** 401 unless the bearer token matches. */
export function bearerGuard(token: string, log: Logger): RequestHandler {
  return (req, res, next) => {
    if (!bearerMatches(req.headers.authorization, token)) {
      log.warn(`refused ${req.method} ${pathOf(req)}: ${req.headers.authorization ? 'wrong' : 'missing'} bearer token`);
      res.status(401).set('WWW-Authenticate', 'Bearer').json(rpcError(-32001, 'Unauthorized: send Authorization: Bearer <token> with the token from the runtime file (or use `daytona-tray bridge`).'));
      return;
    }
    next();
  };
}

/** The request's path as the client sent it (req.path is relative to the router's mount point). */
function pathOf(req: { originalUrl: string }): string {
  return req.originalUrl.split('?')[0] ?? req.originalUrl;
}
