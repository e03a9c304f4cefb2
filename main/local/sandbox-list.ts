import { z } from 'zod';
import { badRequest } from './errors.ts';
import { LOCAL_TARGET, SANDBOX_CLASS, SANDBOX_STATES, type SandboxRecord } from './sandbox-record.ts';
import { parseOrBadRequest } from './validation.ts';

/**
 * GET /api/sandbox as Daytona's server answers it (apps/api/src/sandbox/adapters/sandbox-typeorm-search.adapter.ts,
 * v0.190.0): every filter the SDK's listSandboxes sends, case-insensitive LIKE prefixes on id and name, and a
 * keyset cursor (the last item's sort value and id), so iterating stays stable while sandboxes come and go.
 */

const SORT_FIELDS = {
  name: 'name',
  cpu: 'cpu',
  memoryGib: 'memory',
  diskGib: 'disk',
  lastActivityAt: 'lastActivityAt',
  createdAt: 'createdAt',
} as const;

/** Daytona refuses `destroyed` in a state filter (a destroyed sandbox is never listed). */
const LISTABLE_STATES = SANDBOX_STATES.filter((state) => state !== 'destroyed') as [string, ...string[]];
const asArray = (value: unknown) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);
/** class-transformer's `value === 'true'`: anything else is false. */
const flag = z.preprocess((value) => value === 'true' || value === true, z.boolean()).optional();
const bound = z.coerce.number().int().min(1).optional();
const date = z.coerce.date().optional();

const listSchema = z.object({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  id: z.string().optional(),
  name: z.string().optional(),
  labels: z.string().optional(),
  includeErroredDeleted: flag,
  includeWarm: flag,
  states: z.preprocess(
    asArray,
    z
      .array(z.enum(LISTABLE_STATES, { message: `each value must be one of the following values: ${LISTABLE_STATES.join(', ')}` }))
      .optional(),
  ),
  snapshots: z.preprocess(asArray, z.array(z.string()).optional()),
  regionIds: z.preprocess(asArray, z.array(z.string()).optional()),
  sandboxClasses: z.preprocess(asArray, z.array(z.enum(['linux-vm', 'container', 'android', 'windows'])).optional()),
  minCpu: bound,
  maxCpu: bound,
  minMemoryGiB: bound,
  maxMemoryGiB: bound,
  minDiskGiB: bound,
  maxDiskGiB: bound,
  minGpu: z.coerce.number().int().min(0).optional(),
  maxGpu: z.coerce.number().int().min(0).optional(),
  isPublic: flag,
  isRecoverable: flag,
  createdAtAfter: date,
  createdAtBefore: date,
  lastEventAfter: date,
  lastEventBefore: date,
  autoDestroyAtAfter: date,
  autoDestroyAtBefore: date,
  sort: z.enum(Object.keys(SORT_FIELDS) as [keyof typeof SORT_FIELDS]).default('lastActivityAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
});
type ListQuery = z.output<typeof listSchema>;

const cursorSchema = z.object({ sortValue: z.union([z.string(), z.number()]), id: z.string() });
type Cursor = z.output<typeof cursorSchema>;

export interface ListPage {
  items: SandboxRecord[];
  nextCursor: string | null;
}

/** One page of `records` for a raw query string object; throws 400 with Daytona's wording on bad input. */
export function listSandboxes(records: SandboxRecord[], rawQuery: unknown, isRecoverable: (record: SandboxRecord) => boolean): ListPage {
  const query = parseOrBadRequest(listSchema, rawQuery, 'query');
  const labels = query.labels === undefined ? undefined : parseLabels(query.labels);
  const cursor = query.cursor === undefined ? undefined : parseCursor(query.cursor);
  const field = SORT_FIELDS[query.sort];
  const direction = query.order === 'asc' ? 1 : -1;
  const keyOf = (record: SandboxRecord) => record[field];
  const matches = records
    .filter((record) => matchesQuery(record, query, labels, isRecoverable))
    .filter((record) => !cursor || direction * (compare(keyOf(record), cursor.sortValue) || compare(record.id, cursor.id)) > 0)
    .sort((a, b) => direction * (compare(keyOf(a), keyOf(b)) || compare(a.id, b.id)));
  const items = matches.slice(0, query.limit);
  const last = items.at(-1);
  const nextCursor =
    matches.length > query.limit && last ? Buffer.from(JSON.stringify({ sortValue: keyOf(last), id: last.id })).toString('base64') : null;
  return { items, nextCursor };
}

function matchesQuery(
  record: SandboxRecord,
  query: ListQuery,
  labels: Record<string, string> | undefined,
  isRecoverable: (record: SandboxRecord) => boolean,
): boolean {
  const inRange = (value: number, min: number | undefined, max: number | undefined) =>
    (min === undefined || value >= min) && (max === undefined || value <= max);
  const inDates = (value: string | undefined, after: Date | undefined, before: Date | undefined) => {
    if (!after && !before) return true;
    if (value === undefined) return false;
    const at = Date.parse(value);
    return (!after || at >= after.getTime()) && (!before || at <= before.getTime());
  };
  const errored = record.state === 'error' || record.state === 'build_failed';
  return (
    (query.id === undefined || likePrefix(query.id).test(record.id)) &&
    (query.name === undefined || likePrefix(query.name).test(record.name)) &&
    (!labels || Object.entries(labels).every(([key, value]) => record.labels[key] === value)) &&
    (!query.states || query.states.includes(record.state)) &&
    (!errored || query.includeErroredDeleted === true || record.desiredState !== 'destroyed') &&
    (!query.snapshots?.length || (record.snapshot !== undefined && query.snapshots.includes(record.snapshot))) &&
    (!query.regionIds?.length || query.regionIds.includes(LOCAL_TARGET)) &&
    (!query.sandboxClasses?.length || query.sandboxClasses.includes(SANDBOX_CLASS)) &&
    (query.isPublic === undefined || record.public === query.isPublic) &&
    (query.isRecoverable === undefined || isRecoverable(record) === query.isRecoverable) &&
    inRange(record.cpu, query.minCpu, query.maxCpu) &&
    inRange(record.memory, query.minMemoryGiB, query.maxMemoryGiB) &&
    inRange(record.disk, query.minDiskGiB, query.maxDiskGiB) &&
    inRange(record.gpu, query.minGpu, query.maxGpu) &&
    inDates(record.createdAt, query.createdAtAfter, query.createdAtBefore) &&
    inDates(record.lastActivityAt, query.lastEventAfter, query.lastEventBefore) &&
    // autoDestroyAt comes with a sandbox TTL, which local sandboxes never have.
    inDates(undefined, query.autoDestroyAtAfter, query.autoDestroyAtBefore)
  );
}

/** SQL `LOWER(x) LIKE LOWER(prefix || '%')`: `%` and `_` stay wildcards, as on Daytona. */
function likePrefix(prefix: string): RegExp {
  const pattern = [...prefix].map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${pattern.join('')}`, 'is');
}

function parseLabels(raw: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badRequest(`Invalid query: 'labels' must be a JSON object such as {"app":"web"} (got ${raw}).`);
  }
  return parseOrBadRequest(z.record(z.string(), z.string()), parsed, 'query labels');
}

function parseCursor(raw: string): Cursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64').toString()));
  } catch {
    throw badRequest("Invalid query: 'cursor' is not a cursor this server returned. Start again without a cursor.");
  }
}

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
