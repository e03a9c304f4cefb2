import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { createDaytonaApi } from '../daytona-api/daytona-api.ts';
import { failureOf, HttpError, NetworkError } from '../http/http-errors.ts';

export type ApiKeyCheck =
  | { ok: true }
  | {
      ok: false;
      reason: 'rejected' | 'forbidden' | 'not-found' | 'server' | 'unreachable' | 'timeout' | 'malformed' | 'not-daytona';
      message: string;
    };

/** Daytona's keys are printable ASCII; anything else cannot even travel in the Authorization header. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/** What a page of `GET /sandbox` is: `{items, nextCursor?}`, or (older Daytona) an array; every item a sandbox with an id. */
const sandboxItem = z.looseObject({ id: z.string().min(1) });
const listingSchema = z.union([z.looseObject({ items: z.array(sandboxItem) }), z.array(sandboxItem)]);

export interface CheckApiKeyOptions {
  apiUrl: string;
  apiKey: string;
  /** Default 15 s. */
  timeoutMs?: number;
}

/**
 * Asks the Daytona API whether it accepts `apiKey`: `GET {apiUrl}/sandbox?limit=1` with the key as a bearer
 * token, the cheapest call any working key may make. The key only travels in the Authorization header (never
 * on to where a redirect points); the messages never contain it.
 */
export async function checkApiKey(options: CheckApiKeyOptions): Promise<ApiKeyCheck> {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15_000;
  if (!HEADER_SAFE.test(options.apiKey)) {
    return {
      ok: false,
      reason: 'malformed',
      message:
        'That API key is malformed: it has characters no Daytona API key has (spaces, accents, control or non-ASCII characters). Copy the key again from the Daytona dashboard (Keys), then try again.',
    };
  }
  const notDaytona = (what: string): ApiKeyCheck => ({
    ok: false,
    reason: 'not-daytona',
    message: `${options.apiUrl} answered, but not as Daytona's API does (${what}): this may be a network sign-in page (hotel or airport Wi-Fi) or a wrong --api-url. Sign in to the network or check the API URL (it usually ends in /api), then try again.`,
  });
  const api = createDaytonaApi({ apiUrl, credentials: () => ({ token: options.apiKey }), timeoutMs });
  try {
    // Only Daytona's own answer counts: a captive portal's 200 page must never make a key "accepted".
    const listing = listingSchema.safeParse(await api.listSandboxesPage({ limit: 1 }));
    if (!listing.success) return notDaytona('the sandbox listing has an unexpected shape');
    return { ok: true };
  } catch (error) {
    if (error instanceof HttpError && error.status >= 200 && error.status < 300) return notDaytona('its answer is not JSON');
    const failure = failureOf(error);
    const why = (error as Error).message;
    switch (failure.kind) {
      case 'unauthorized':
        return {
          ok: false,
          reason: 'rejected',
          message: `API key rejected by ${options.apiUrl} (401). Check that you copied the whole key, or create a new one in the Daytona dashboard (Keys), then try again.`,
        };
      case 'forbidden':
        return {
          ok: false,
          reason: 'forbidden',
          message: `${options.apiUrl} accepted the key but it may not list sandboxes (403). Create a key with sandbox permissions in the Daytona dashboard (Keys), then try again.`,
        };
      case 'not-found':
        return {
          ok: false,
          reason: 'not-found',
          message: `No Daytona API at ${options.apiUrl} (404 for /sandbox). Check --api-url: it usually ends in /api (the default is https://app.daytona.io/api).`,
        };
      case 'timeout':
        if (failure.status === undefined)
          return {
            ok: false,
            reason: 'timeout',
            message: `${options.apiUrl} did not answer within ${timeoutMs / 1000} s. Check your network (or --api-url), then try again.`,
          };
        break;
      case 'unreachable':
        return {
          ok: false,
          reason: 'unreachable',
          message: `Could not reach ${options.apiUrl} (${error instanceof NetworkError ? error.reason : why}). Check your network and the API URL (--api-url), then try again.`,
        };
      default:
        break;
    }
    if (error instanceof HttpError) {
      return {
        ok: false,
        reason: 'server',
        message: `${options.apiUrl} answered ${`${error.status} ${STATUS_CODES[error.status] ?? ''}`.trim()}. Try again later; if it persists, check --api-url.`,
      };
    }
    return { ok: false, reason: 'server', message: `${options.apiUrl}: ${why} Check --api-url, then try again.` };
  } finally {
    api.close();
  }
}
