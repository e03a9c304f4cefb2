import { z } from 'zod';
import { requestJson, type FetchLike } from './http-json.ts';
import { parseSandbox, type WatchedSandbox } from './watched-sandbox.ts';

/** Who the calls are made as: an API key, or a signed-in user's access token plus the organization. */
export interface DaytonaCredentials {
  token: string;
  /** Required with a user token (Daytona scopes it by this header); unused with an API key. */
  organizationId?: string;
}

export const PAGE_LIMIT = 200;
/** 200 × 500 = 100,000 sandboxes: far beyond any organization's quota, so reaching it means a looping server. */
const MAX_PAGES = 500;

const pageSchema = z.union([
  z.object({ items: z.array(z.unknown()), nextCursor: z.string().nullish() }),
  // Daytona before the cursor API (v0.190) answered GET /sandbox with a plain array.
  z.array(z.unknown()),
]);

export function daytonaHeaders(credentials: DaytonaCredentials): Record<string, string> {
  return {
    authorization: `Bearer ${credentials.token}`,
    'x-daytona-source': 'daytona-tray',
    ...(credentials.organizationId ? { 'x-daytona-organization-id': credentials.organizationId } : {}),
  };
}

/** Every sandbox of the organization, following `nextCursor` to the last page (docs/daytona-api.md §3, §12). */
export async function listAllSandboxes(
  apiUrl: string,
  credentials: DaytonaCredentials,
  options: { fetch?: FetchLike; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<WatchedSandbox[]> {
  const sandboxes: WatchedSandbox[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ limit: String(PAGE_LIMIT) });
    if (cursor) query.set('cursor', cursor);
    const body = await requestJson(`${apiUrl}/sandbox?${query}`, { headers: daytonaHeaders(credentials), ...options });
    const parsed = pageSchema.safeParse(body);
    if (!parsed.success) throw new Error(`${apiUrl}/sandbox answered with an unexpected shape: is the API URL a Daytona API (it usually ends in /api)?`);
    const items = Array.isArray(parsed.data) ? parsed.data : parsed.data.items;
    for (const item of items) {
      const sandbox = parseSandbox(item);
      if (sandbox) sandboxes.push(sandbox);
    }
    const next = Array.isArray(parsed.data) ? undefined : parsed.data.nextCursor;
    if (!next) return sandboxes;
    if (seen.has(next)) throw new Error(`${apiUrl}/sandbox returned the same page cursor twice; the listing would never end.`);
    seen.add(next);
    cursor = next;
  }
  throw new Error(`${apiUrl}/sandbox kept returning pages past ${MAX_PAGES * PAGE_LIMIT} sandboxes; giving up on this listing.`);
}
