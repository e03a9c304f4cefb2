/** The server answered with a status outside 2xx. The message is the server's own reason (never a token). */
export class HttpError extends Error {
  readonly status: number;
  /** From `Retry-After` or Daytona's `Retry-After-{throttler}` headers (429/503). */
  readonly retryAfterMs: number | undefined;
  /** `error` / `code` from the body when it has one (OAuth's `invalid_grant`, Daytona's codes). */
  readonly code: string | undefined;

  constructor(status: number, message: string, retryAfterMs?: number, code?: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.retryAfterMs = retryAfterMs;
    this.code = code;
  }
}

/** No answer: refused, reset, DNS, offline, a redirect we do not follow, or the deadline passed. */
export class NetworkError extends Error {
  /** The deadline passed (as opposed to a refusal or a DNS failure). */
  readonly timedOut: boolean;
  /** The short reason (`ECONNREFUSED`, `no answer within 15 s`, ...), for messages that say it their own way. */
  readonly reason: string;

  constructor(message: string, options: { timedOut?: boolean; reason?: string } = {}) {
    super(message);
    this.name = 'NetworkError';
    this.timedOut = options.timedOut ?? false;
    this.reason = options.reason ?? message;
  }
}

/**
 * What a failed call means for the caller, decided in one place: 401 asks for a new key or sign-in (retrying
 * only feeds Daytona's failed-auth throttler), 403/404/409 need someone to change something, 429/5xx and
 * network failures are worth retrying later (with backoff, at least `retryAfterMs`).
 */
export type FailureKind =
  'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'rate-limited' | 'server' | 'timeout' | 'unreachable' | 'other';

export interface Failure {
  kind: FailureKind;
  /** Trying the same call again later may work. */
  retryable: boolean;
  status: number | undefined;
  retryAfterMs: number | undefined;
}

export function failureOf(error: unknown): Failure {
  if (error instanceof NetworkError)
    return { kind: error.timedOut ? 'timeout' : 'unreachable', retryable: true, status: undefined, retryAfterMs: undefined };
  if (!(error instanceof HttpError)) return { kind: 'other', retryable: true, status: undefined, retryAfterMs: undefined };
  const { status, retryAfterMs } = error;
  const of = (kind: FailureKind, retryable: boolean): Failure => ({ kind, retryable, status, retryAfterMs });
  if (status === 401) return of('unauthorized', false);
  if (status === 403) return of('forbidden', false);
  if (status === 404) return of('not-found', false);
  if (status === 409) return of('conflict', false);
  if (status === 429) return of('rate-limited', true);
  if (status === 408 || status === 504) return of('timeout', true);
  if (status >= 500) return of('server', true);
  return of('other', false);
}

/** Origin and path only: enough to tell which call failed, never a query string. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'the server';
  }
}

const MAX_ERROR_TEXT = 300;

/** The reason a server gave in its error body: Daytona's `{message}` (or list of them), OAuth's `error_description`. */
export function errorOf(body: unknown, text: string): { message: string; code: string | undefined } {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const message = record.error_description ?? record.message ?? record.error;
    // Daytona's `code` when present (its `error` is only the reason phrase), else OAuth's `error`.
    const code = typeof record.code === 'string' ? record.code : typeof record.error === 'string' ? record.error : undefined;
    const joined = Array.isArray(message) ? message.join(', ') : typeof message === 'string' ? message : '';
    return { message: joined.slice(0, MAX_ERROR_TEXT), code };
  }
  return {
    message: text
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, MAX_ERROR_TEXT),
    code: undefined,
  };
}

/** The longest wait any `Retry-After*` header asks for (seconds or an HTTP date), in ms. */
export function retryAfterOf(headers: Iterable<[string, string]>, now = Date.now()): number | undefined {
  let longest: number | undefined;
  for (const [name, value] of headers) {
    if (!name.toLowerCase().startsWith('retry-after')) continue;
    const seconds = Number(value);
    const ms = Number.isFinite(seconds) && value.trim() !== '' ? seconds * 1000 : Date.parse(value) - now;
    if (Number.isFinite(ms) && ms >= 0) longest = Math.max(longest ?? 0, ms);
  }
  return longest;
}
