import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

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
  const given = createHash('sha256')
    .update(match?.[1] ?? '')
    .digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected) && match !== null;
}

/** JSON-RPC-shaped error body, so MCP clients show the message. */
export function rpcError(code: number, message: string) {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}

export interface Refusal {
  status: number;
  body: ReturnType<typeof rpcError>;
  /** For the log: why, without any secret. */
  reason: string;
  headers?: Record<string, string>;
}

/** 403 for a foreign Host or Origin; checked before anything else (also for /health). */
export function checkHostAndOrigin(req: IncomingMessage, port: number): Refusal | undefined {
  if (!hostAllowed(req.headers.host, port)) {
    return {
      status: 403,
      body: rpcError(-32000, 'Forbidden: this server only answers requests addressed to 127.0.0.1 or localhost with its own port.'),
      reason: `Host '${req.headers.host ?? ''}' is not 127.0.0.1:${port} or localhost:${port}`,
    };
  }
  if (!originAllowed(req.headers.origin)) {
    return {
      status: 403,
      body: rpcError(-32000, 'Forbidden: requests from web pages are not accepted (Origin is not this machine).'),
      reason: `Origin '${req.headers.origin}' is not a loopback origin`,
    };
  }
  return undefined;
}

/** 401 unless the bearer token matches. */
export function checkBearer(req: IncomingMessage, token: string): Refusal | undefined {
  if (bearerMatches(req.headers.authorization, token)) return undefined;
  return {
    status: 401,
    body: rpcError(
      -32001,
      'Unauthorized: send Authorization: Bearer <token> with the token from the runtime file (or use `daytona-tray bridge`).',
    ),
    reason: `${req.headers.authorization ? 'wrong' : 'missing'} bearer token`,
    headers: { 'www-authenticate': 'Bearer' },
  };
}
