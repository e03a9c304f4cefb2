import { describeUrl, errorOf, HttpError, NetworkError, retryAfterOf } from './http-errors.ts';

/**
 * Plain JSON over fetch, for the sign-in provider's endpoints (OIDC discovery, token, revocation), which are
 * not Daytona's API. Daytona's own calls go through main/core/daytona-api/.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

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
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
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
  const target = describeUrl(url);
  let response: Response;
  let text: string;
  try {
    response = await doFetch(url, {
      method: options.method ?? 'GET',
      headers,
      ...(body !== undefined ? { body } : {}),
      signal,
      redirect: 'error',
    });
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('Cancelled.');
    const reason = timeout.aborted ? `no answer within ${Math.round(timeoutMs / 1000)} s` : causeOf(error);
    throw new NetworkError(`Could not reach ${target}: ${reason}. Check the network connection and the API URL.`, {
      timedOut: timeout.aborted,
      reason,
    });
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
    throw new HttpError(
      response.status,
      `${target} answered ${response.status}${message ? `: ${message}` : ''}`,
      retryAfterOf(response.headers),
      code,
    );
  }
  if (text.length > 0 && parsed === undefined)
    throw new HttpError(response.status, `${target} answered with something that is not JSON. Check the API URL.`);
  return parsed;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}
