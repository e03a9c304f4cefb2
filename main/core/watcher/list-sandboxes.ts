import { z } from 'zod';
import type { CallOptions, DaytonaApi } from '../daytona-api/daytona-api.ts';
import { parseSandbox, type WatchedSandbox } from './watched-sandbox.ts';

export const PAGE_LIMIT = 200;
/** 200 × 500 = 100,000 sandboxes: far beyond any organization's quota, so reaching it means a looping server. */
const MAX_PAGES = 500;

const pageSchema = z.union([
  z.object({ items: z.array(z.unknown()), nextCursor: z.string().nullish() }),
  // Daytona before the cursor API (v0.190) answered GET /sandbox with a plain array.
  z.array(z.unknown()),
]);

/** Every sandbox of the organization, following `nextCursor` to the last page (docs/daytona-api.md §3, §12). */
export async function listAllSandboxes(
  api: Pick<DaytonaApi, 'apiUrl' | 'listSandboxesPage'>,
  options: CallOptions = {},
): Promise<WatchedSandbox[]> {
  const sandboxes: WatchedSandbox[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const parsed = pageSchema.safeParse(await api.listSandboxesPage({ limit: PAGE_LIMIT, ...(cursor ? { cursor } : {}) }, options));
    if (!parsed.success)
      throw new Error(`${api.apiUrl}/sandbox answered with an unexpected shape: is the API URL a Daytona API (it usually ends in /api)?`);
    const items = Array.isArray(parsed.data) ? parsed.data : parsed.data.items;
    const nextCursor = Array.isArray(parsed.data) ? undefined : parsed.data.nextCursor;
    for (const item of items) {
      const sandbox = parseSandbox(item);
      if (sandbox) sandboxes.push(sandbox);
    }
    if (!nextCursor) return sandboxes;
    if (seen.has(nextCursor)) throw new Error(`${api.apiUrl}/sandbox returned the same page cursor twice; the listing would never end.`);
    seen.add(nextCursor);
    cursor = nextCursor;
  }
  throw new Error(`${api.apiUrl}/sandbox kept returning pages past ${MAX_PAGES * PAGE_LIMIT} sandboxes; giving up on this listing.`);
}
