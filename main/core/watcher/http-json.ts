/** Every call has a deadline; Daytona answers list calls in well under a second. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const MAX_ERROR_TEXT = 300;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

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

/** No answer: refused, reset, DNS, offline, or the deadline passed. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is a URLSearchParams (form-encoded, as OAuth token endpoints want). */
  body?: unknown;
  timeoutMs?: number;
  fetch?: FetchLike;
  signal?: AbortSignal;
}

/** Sends one request and returns its parsed JSON body (undefined for an empty body); throws HttpError/NetworkError. */
export async function requestJson(url: string, options: RequestOptions = {}): Promise<unknown> {
  const doFetch = options.fetch ?? fetch;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: string | undefined;
  if (options.body instanceof URLSearchParams) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = options.body.toString();
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const target = describe(url);
  let response: Response;
  let text: string;
  try {
    response = await doFetch(url, { method: options.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}), signal, redirect: 'error' });
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('Cancelled.');
    const reason = timeout.aborted ? `no answer within ${Math.round((options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) / 1000)} s` : causeOf(error);
    throw new NetworkError(`Could not reach ${target}: ${reason}. Check the network connection and the API URL.`);
  }
  let parsed: unknown;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    const { message, code } = errorOf(parsed, text);
    throw new HttpError(response.status, `${target} answered ${response.status}${message ? `: ${message}` : ''}`, retryAfterOf(response.headers), code);
  }
  if (text.length > 0 && parsed === undefined) throw new HttpError(response.status, `${target} answered with something that is not JSON. Check the API URL.`);
  return parsed;
}

/** Origin and path only: enough to tell which call failed, never a query string. */
function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'the server';
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

function errorOf(body: unknown, text: string): { message: string; code: string | undefined } {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const message = record.error_description ?? record.message ?? record.error;
    // Daytona's `code` when present (its `error` is only the reason phrase), else OAuth's `error`.
    const code = typeof record.code === 'string' ? record.code : typeof record.error === 'string' ? record.error : undefined;
    const text = Array.isArray(message) ? message.join(', ') : typeof message === 'string' ? message : '';
    return { message: text.slice(0, MAX_ERROR_TEXT), code };
  }
  return { message: text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, MAX_ERROR_TEXT), code: undefined };
}

/** The longest wait any `Retry-After*` header asks for (seconds or an HTTP date), in ms. */
export function retryAfterOf(headers: Headers, now = Date.now()): number | undefined {
  let longest: number | undefined;
  headers.forEach((value, name) => {
    if (!name.toLowerCase().startsWith('retry-after')) return;
    const seconds = Number(value);
    const ms = Number.isFinite(seconds) && value.trim() !== '' ? seconds * 1000 : Date.parse(value) - now;
    if (Number.isFinite(ms) && ms >= 0) longest = Math.max(longest ?? 0, ms);
  });
  return longest;
}
