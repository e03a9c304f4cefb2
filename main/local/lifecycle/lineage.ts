import type { SandboxRecord } from '../sandbox-record.ts';

/** Daytona answers at most this many forks and ancestors (getForkChildren, getForkAncestors). */
const MAX_LINEAGE = 100;
const MAX_ANCESTORS = 50;

/** The sandboxes forked from `parent` that still exist. */
export function forksOf(all: SandboxRecord[], parent: SandboxRecord): SandboxRecord[] {
  return all.filter((record) => record.forkedFrom === parent.id).slice(0, MAX_LINEAGE);
}

/** The chain of parents, the oldest first (a deleted parent ends the chain: the provider keeps no deleted records). */
export function ancestorsOf(lookup: (id: string) => SandboxRecord | undefined, record: SandboxRecord): SandboxRecord[] {
  const ancestors: SandboxRecord[] = [];
  const seen = new Set<string>([record.id]);
  let parentId = record.forkedFrom;
  while (parentId && !seen.has(parentId) && ancestors.length < MAX_ANCESTORS) {
    const parent = lookup(parentId);
    if (!parent) break;
    seen.add(parentId);
    ancestors.push(parent);
    parentId = parent.forkedFrom;
  }
  return ancestors.reverse();
}
