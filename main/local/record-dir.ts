import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { removeStaleTempFiles, writeFileAtomic } from '../core/atomic-write.ts';

/**
 * A folder of small JSON records, one file `<id>.json` each (volumes, secrets' metadata), kept in memory and
 * written atomically, one write at a time per record, each writing the record as it is when its turn comes.
 */
export class RecordDir<T extends { id: string }> {
  private readonly dir: string;
  private readonly schema: z.ZodType<T>;
  private readonly records = new Map<string, T>();
  private readonly writes = new Map<string, Promise<void>>();

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

  /** Makes the record visible at once and persists its content as it is when the write's turn comes. */
  save(record: T): Promise<void> {
    const { id } = record;
    this.records.set(id, record);
    return this.enqueue(id, async () => {
      const current = this.records.get(id);
      if (current) await writeFileAtomic(join(this.dir, `${id}.json`), JSON.stringify(current, null, 2));
    });
  }

  remove(id: string): Promise<void> {
    this.records.delete(id);
    return this.enqueue(id, () => rm(join(this.dir, `${id}.json`), { force: true }));
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
