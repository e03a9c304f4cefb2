/** Whether two JSON values (what main sends over IPC) are equal, deeply. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((key) => Object.hasOwn(b, key) && jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/**
 * `next`, with every item equal to the previous snapshot's item of the same id replaced by that previous object
 * (and the previous array itself when nothing changed). Every snapshot from main arrives as new objects (IPC
 * copies them); keeping the unchanged ones lets a memoized row skip rendering when another sandbox changed.
 */
export function reuseUnchanged<T extends { id: string }>(previous: readonly T[] | undefined, next: T[]): T[] {
  if (!previous) return next;
  const byId = new Map(previous.map((item) => [item.id, item]));
  let same = previous.length === next.length;
  const merged = next.map((item, index) => {
    const old = byId.get(item.id);
    if (old !== undefined && jsonEqual(old, item)) {
      if (previous[index] !== old) same = false;
      return old;
    }
    same = false;
    return item;
  });
  return same ? (previous as T[]) : merged;
}
