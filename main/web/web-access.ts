import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostAllowed } from '../mcp/http-guards.ts';

/** The session cookie's name; the port keeps two web shells on one machine from overwriting each other's. */
export const cookieName = (port: number) => `daytona_tray_${port}`;

export interface WebRefusal {
  status: 401 | 403;
  /** For the page and the log: why, in words that say what to do, without any secret. */
  message: string;
}

/**
 * Who may use the web shell: the browser that opened a one-time link. Each link carries a fresh 256-bit token
 * that is good for one exchange; the exchange sets an HttpOnly, SameSite=Strict cookie holding this run's
 * session secret (another 256-bit value, never in a URL), which every later request and the WebSocket must
 * carry. Both die with the process.
 */
export interface WebAccess {
  /** A new one-time token (the printed link, and each time the app opens a browser itself). */
  issueToken(): string;
  /** Uses up a token; true when it was issued and not yet used. */
  redeemToken(token: string): boolean;
  /** The Set-Cookie header value that admits this browser. */
  sessionCookie(): string;
  /** The session secret (kept in web-app.json so the next run admits the same pages). */
  session: string;
  /** True when the request carries this run's session cookie. */
  hasSession(req: IncomingMessage): boolean;
  /**
   * Host (DNS rebinding) and Origin checks, for every request and the upgrade. A browser sends Origin on
   * WebSocket upgrades and on non-GET requests: it must be this server itself (not merely any loopback page:
   * another local port is another site). `requireOrigin` for the upgrade, where a browser always sends one.
   */
  checkHostAndOrigin(req: IncomingMessage, options?: { requireOrigin?: boolean }): WebRefusal | undefined;
}

/** `session`: the secret the cookie carries (the last run's, to keep its pages); a new one when absent. */
export function createWebAccess(port: number, session = randomBytes(32).toString('base64url')): WebAccess {
  const sessionHash = sha256(session);
  const tokens = new Set<string>(); // hashes of unused tokens
  const name = cookieName(port);
  const ownOrigins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  return {
    issueToken() {
      const token = randomBytes(32).toString('base64url');
      tokens.add(sha256(token).toString('hex'));
      return token;
    },
    redeemToken(token) {
      const key = sha256(token).toString('hex');
      return tokens.delete(key);
    },
    session,
    sessionCookie: () => `${name}=${session}; Path=/; HttpOnly; SameSite=Strict`,
    hasSession(req) {
      // Every value under our name: a page on another local port can set a same-named cookie (cookies are not
      // per port), which must not lock out the real one.
      return readCookies(req.headers.cookie, name).some((given) => timingSafeEqual(sha256(given), sessionHash));
    },
    checkHostAndOrigin(req, options = {}) {
      if (!hostAllowed(req.headers.host, port)) {
        return { status: 403, message: `This address is not Daytona Tray's: it answers only at 127.0.0.1:${port} or localhost:${port}.` };
      }
      const origin = req.headers.origin;
      if (origin === undefined ? options.requireOrigin === true : !ownOrigins.has(origin.toLowerCase())) {
        return { status: 403, message: 'Requests from other web pages are refused: open Daytona Tray at the address it printed.' };
      }
      return undefined;
    },
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The values of every cookie called `name` in a Cookie header. */
export function readCookies(header: string | undefined, name: string): string[] {
  const found: string[] = [];
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) found.push(part.slice(index + 1).trim());
  }
  return found;
}
