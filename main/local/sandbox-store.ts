import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTempFiles, writeFileAtomic } from '../core/atomic-write.ts';
import { makeDataDir } from '../core/data-dir.ts';
import { tryFileLock, type HeldLock } from '../core/file-lock.ts';
import { sandboxRecordSchema, type SandboxRecord } from './sandbox-record.ts';

/**
 * Sandbox metadata on disk: `<dataDir>/meta/<id>.json`, one file per sandbox, each written atomically,
 * so a crash leaves every sandbox either at its previous state or its new one. Files live apart from
 * metadata, in `<dataDir>/sandboxes/<id>/`, where the sandbox itself cannot rewrite its metadata.
 *
 * Writes for one sandbox go out one at a time and each writes the record as it is when its turn comes,
 * so an older snapshot can never land after a newer one; once a sandbox is removed, no late write can
 * bring its metadata back.
 */
export class SandboxStore {
  readonly dataDir: string;
  readonly metaDir: string;
  readonly sandboxesDir: string;
  private readonly lockFile: string;
  private readonly records = new Map<string, SandboxRecord>();
  private readonly writes = new Map<string, Promise<void>>();
  /** Ids removed in this run (UUIDs are never reused, so this only grows by one per delete). */
  private readonly removed = new Set<string>();
  private heldLock: HeldLock | undefined;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.metaDir = join(dataDir, 'meta');
    this.sandboxesDir = join(dataDir, 'sandboxes');
    this.lockFile = join(dataDir, 'provider.pid');
  }

  /**
   * Claims the data directory for this process: two providers on one directory would undo each other's
   * work. A lock left by a provider that died (SIGKILL, power cut) is taken over.
   */
  async lock(): Promise<void> {
    await makeDataDir(this.dataDir);
    const result = await tryFileLock(this.lockFile);
    if ('holder' in result) {
      throw new DataDirInUseError(
        `Another local provider (pid ${result.holder}) is using ${this.dataDir}: stop it first, or pass a different --data-dir. ` +
          `If no provider is running, delete ${this.lockFile}.`,
      );
    }
    this.heldLock = result.lock;
  }

  async unlock(): Promise<void> {
    const lock = this.heldLock;
    this.heldLock = undefined;
    await lock?.release();
  }

  /** Loads every record; returns the names of metadata files it could not read (left in place, ignored). */
  async load(): Promise<string[]> {
    await mkdir(this.metaDir, { recursive: true, mode: 0o700 });
    await mkdir(this.sandboxesDir, { recursive: true, mode: 0o700 });
    await removeStaleTempFiles(this.metaDir);
    const unreadable: string[] = [];
    for (const name of await readdir(this.metaDir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      try {
        const record = sandboxRecordSchema.parse(JSON.parse(await readFile(join(this.metaDir, name), 'utf8')));
        // The id names the sandbox's directory (and what delete removes): it must match the file it came from.
        if (name !== `${record.id}.json`) throw new Error('file name does not match the sandbox id');
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

  /** Makes a new record visible at once (names are taken synchronously); `save` persists it. */
  add(record: SandboxRecord): void {
    if (!this.removed.has(record.id)) this.records.set(record.id, record);
  }

  /** Persists the record's current content; a no-op for a removed sandbox. */
  save(record: SandboxRecord): Promise<void> {
    const { id } = record;
    if (this.removed.has(id)) return Promise.resolve();
    this.records.set(id, record);
    return this.enqueue(id, async () => {
      const current = this.records.get(id);
      if (this.removed.has(id) || !current) return;
      await writeFileAtomic(join(this.metaDir, `${id}.json`), JSON.stringify(current, null, 2));
    });
  }

  /** Forgets a sandbox: files first, then metadata, so a crash in between is finished on the next start. */
  remove(id: string): Promise<void> {
    this.removed.add(id);
    return this.enqueue(id, async () => {
      await rm(this.rootOf(id), { recursive: true, force: true });
      await rm(join(this.metaDir, `${id}.json`), { force: true });
      // Readers see the sandbox (as destroying) until it is really gone.
      this.records.delete(id);
    });
  }

  /** Resolves once every write started so far has finished. */
  async flushed(): Promise<void> {
    await Promise.allSettled([...this.writes.values()]);
  }

  private enqueue(id: string, work: () => Promise<void>): Promise<void> {
    const previous = this.writes.get(id) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    this.writes.set(id, next);
    void next
      .catch(() => {})
      .then(() => {
        if (this.writes.get(id) === next) this.writes.delete(id);
      });
    return next;
  }
}

export class DataDirInUseError extends Error {}
