export type ApiKeyCheck =
  | { ok: true }
  | { ok: false; reason: 'rejected' | 'forbidden' | 'not-found' | 'server' | 'unreachable' | 'timeout'; message: string };

export interface CheckApiKeyOptions {
  apiUrl: string;
  apiKey: string;
  /** Default 15 s. */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

/**
 * Asks the Daytona API whether it accepts `apiKey`: `GET {apiUrl}/sandbox?limit=1` with the key as a bearer
 * token, the cheapest call any working key may make. The key only travels in the Authorization header; the
 * messages never contain it.
 */
export async function checkApiKey(options: CheckApiKeyOptions): Promise<ApiKeyCheck> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const doFetch = options.fetch ?? globalThis.fetch;
  const url = `${options.apiUrl.replace(/\/+$/, '')}/sandbox?limit=1`;
  let response: Response;
  try {
    response = await doFetch(url, {
      headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/json' },
      redirect: 'error', // never replay the key to wherever a redirect points
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      return { ok: false, reason: 'timeout', message: `${options.apiUrl} did not answer within ${timeoutMs / 1000} s. Check your network (or --api-url), then try again.` };
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    return { ok: false, reason: 'unreachable', message: `Could not reach ${options.apiUrl} (${why}). Check your network and the API URL (--api-url), then try again.` };
  }
  await response.body?.cancel().catch(() => {});
  if (response.ok) return { ok: true };
  switch (response.status) {
    case 401:
      return { ok: false, reason: 'rejected', message: `API key rejected by ${options.apiUrl} (401). Check that you copied the whole key, or create a new one in the Daytona dashboard (Keys), then try again.` };
    case 403:
      return { ok: false, reason: 'forbidden', message: `${options.apiUrl} accepted the key but it may not list sandboxes (403). Create a key with sandbox permissions in the Daytona dashboard (Keys), then try again.` };
    case 404:
      return { ok: false, reason: 'not-found', message: `No Daytona API at ${options.apiUrl} (404 for /sandbox). Check --api-url: it usually ends in /api (the default is https://app.daytona.io/api).` };
    default:
      return { ok: false, reason: 'server', message: `${options.apiUrl} answered ${response.status} ${response.statusText}. Try again later; if it persists, check --api-url.` };
  }
}
