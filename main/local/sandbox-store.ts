import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.ts';
import type { SandboxRecord } from './sandbox-record.ts';

/**
 * Sandbox metadata on disk: `<dataDir>/meta/<id>.json`, one file per sandbox, each written atomically,
 * so a crash leaves every sandbox either at its previous state or its new one. Files live apart from
 * metadata, in `<dataDir>/sandboxes/<id>/`, where the sandbox itself cannot rewrite its metadata.
 */
export class SandboxStore {
  readonly metaDir: string;
  readonly sandboxesDir: string;
  private readonly records = new Map<string, SandboxRecord>();
  readonly dataDir: string;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.metaDir = join(dataDir, 'meta');
    this.sandboxesDir = join(dataDir, 'sandboxes');
  }

  /** Loads every record; returns the names of metadata files it could not read (moved aside). */
  async load(): Promise<string[]> {
    await mkdir(this.metaDir, { recursive: true, mode: 0o700 });
    await mkdir(this.sandboxesDir, { recursive: true, mode: 0o700 });
    const unreadable: string[] = [];
    for (const name of await readdir(this.metaDir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const file = join(this.metaDir, name);
      try {
        const record = JSON.parse(await readFile(file, 'utf8')) as SandboxRecord;
        if (typeof record.id !== 'string' || typeof record.state !== 'string') throw new Error('not a sandbox record');
        this.records.set(record.id, record);
      } catch {
        unreadable.push(name);
      }
    }
    return unreadable;
  }

  all(): SandboxRecord[] {
    return [...this.records.values()];
  }

  get(id: string): SandboxRecord | undefined {
    return this.records.get(id);
  }

  findByIdOrName(idOrName: string): SandboxRecord | undefined {
    const byId = this.records.get(idOrName);
    if (byId) return byId;
    for (const record of this.records.values()) if (record.name === idOrName) return record;
    return undefined;
  }

  rootOf(id: string): string {
    return join(this.sandboxesDir, id);
  }

  async save(record: SandboxRecord): Promise<void> {
    this.records.set(record.id, record);
    await writeFileAtomic(join(this.metaDir, `${record.id}.json`), JSON.stringify(record, null, 2));
  }

  /** Forgets a sandbox: files first, then metadata, so a crash in between is finished on the next start. */
  async remove(id: string): Promise<void> {
    await rm(this.rootOf(id), { recursive: true, force: true });
    await rm(join(this.metaDir, `${id}.json`), { force: true });
    this.records.delete(id);
  }
}
