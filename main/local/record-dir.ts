import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { removeStaleTempFiles, writeFileAtomic } from '../core/atomic-write.ts';

export interface RemoveOptions {
  /**
   * Runs first, in the record's turn, before its file goes (a sandbox's files before its metadata, so a crash in
   * between leaves the record, and the removal is finished on the next start).
   */
  before?: () => Promise<void>;
  /** Readers keep seeing the record until its file is gone (a sandbox shows as destroying meanwhile); default: gone at once. */
  visibleUntilGone?: boolean;
}

/**
 * A folder of small JSON records, one file `<id>.json` each (sandboxes' metadata, volumes, secrets' metadata), kept
 * in memory and written atomically (core/atomic-write.ts), so a crash leaves each record either as it was or as it
 * became, never half-written.
 *
 * Writes for one record go out one at a time and each writes the record as it is when its turn comes, so an older
 * snapshot can never land after a newer one; once a record is removed, no late write can bring it back (ids are
 * never reused: the set of removed ids only grows by one per removal).
 */
export class RecordDir<T extends { id: string }> {
  private readonly dir: string;
  private readonly schema: z.ZodType<T>;
  private readonly records = new Map<string, T>();
  private readonly writes = new Map<string, Promise<void>>();
  private readonly removed = new Set<string>();

  constructor(dir: string, schema: z.ZodType<T>) {
    this.dir = dir;
    this.schema = schema;
  }

  /** Loads every record; returns the names of files it could not read (left in place, ignored). */
  async load(): Promise<string[]> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await removeStaleTempFiles(this.dir);
    const unreadable: string[] = [];
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      try {
        const record = this.schema.parse(JSON.parse(await readFile(join(this.dir, name), 'utf8')));
        // The id names what else belongs to the record (a sandbox's folder, what delete removes): it must match its file.
        if (name !== `${record.id}.json`) throw new Error('file name does not match the id');
        this.records.set(record.id, record);
      } catch {
        unreadable.push(name);
      }
    }
    return unreadable;
  }

  all(): T[] {
    return [...this.records.values()];
  }

  get(id: string): T | undefined {
    return this.records.get(id);
  }

  /** Makes a new record visible at once, without writing it (`save` does); ignored for a removed id. */
  add(record: T): void {
    if (!this.removed.has(record.id)) this.records.set(record.id, record);
  }

  /** Makes the record visible at once and persists its content as it is when the write's turn comes; a no-op once removed. */
  save(record: T): Promise<void> {
    const { id } = record;
    if (this.removed.has(id)) return Promise.resolve();
    this.records.set(id, record);
    return this.enqueue(id, async () => {
      const current = this.records.get(id);
      if (this.removed.has(id) || !current) return;
      await writeFileAtomic(join(this.dir, `${id}.json`), JSON.stringify(current, null, 2));
    });
  }

  remove(id: string, options: RemoveOptions = {}): Promise<void> {
    this.removed.add(id);
    if (!options.visibleUntilGone) this.records.delete(id);
    return this.enqueue(id, async () => {
      await options.before?.();
      await rm(join(this.dir, `${id}.json`), { force: true });
      this.records.delete(id);
    });
  }

  /** Resolves once every write started so far has finished. */
  async flushed(): Promise<void> {
    await Promise.allSettled([...this.writes.values()]);
  }

  private enqueue(id: string, work: () => Promise<void>): Promise<void> {
    const next = (this.writes.get(id) ?? Promise.resolve()).catch(() => {}).then(work);
    this.writes.set(id, next);
    void next
      .catch(() => {})
      .then(() => {
        if (this.writes.get(id) === next) this.writes.delete(id);
      });
    return next;
  }
}
