import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDataDir } from '../core/data-dir.ts';
import { tryFileLock, type HeldLock } from '../core/file-lock.ts';
import { RecordDir } from './record-dir.ts';
import { sandboxRecordSchema, type SandboxRecord } from './sandbox-record.ts';

/**
 * Sandbox metadata on disk: `<dataDir>/meta/<id>.json`, one file per sandbox, kept by a RecordDir (atomic writes, one
 * at a time per sandbox, none after its removal). Files live apart from metadata, in `<dataDir>/sandboxes/<id>/`,
 * where the sandbox itself cannot rewrite its metadata.
 */
export class SandboxStore {
  readonly dataDir: string;
  readonly metaDir: string;
  readonly sandboxesDir: string;
  private readonly lockFile: string;
  private readonly records: RecordDir<SandboxRecord>;
  private heldLock: HeldLock | undefined;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.metaDir = join(dataDir, 'meta');
    this.sandboxesDir = join(dataDir, 'sandboxes');
    this.lockFile = join(dataDir, 'provider.pid');
    this.records = new RecordDir(this.metaDir, sandboxRecordSchema);
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
    await mkdir(this.sandboxesDir, { recursive: true, mode: 0o700 });
    return this.records.load();
  }

  all(): SandboxRecord[] {
    return this.records.all();
  }

  get(id: string): SandboxRecord | undefined {
    return this.records.get(id);
  }

  findByIdOrName(idOrName: string): SandboxRecord | undefined {
    return this.records.get(idOrName) ?? this.records.all().find((record) => record.name === idOrName);
  }

  rootOf(id: string): string {
    return join(this.sandboxesDir, id);
  }

  /** Makes a new record visible at once (names are taken synchronously); `save` persists it. */
  add(record: SandboxRecord): void {
    this.records.add(record);
  }

  /** Persists the record's current content; a no-op for a removed sandbox. */
  save(record: SandboxRecord): Promise<void> {
    return this.records.save(record);
  }

  /**
   * Forgets a sandbox: files first, then metadata, so a crash in between is finished on the next start. Readers see
   * the sandbox (as destroying) until it is really gone, unless 'gone at once' (a create that failed before its answer).
   */
  remove(id: string, visible: 'until gone' | 'gone at once' = 'until gone'): Promise<void> {
    return this.records.remove(id, {
      before: () => rm(this.rootOf(id), { recursive: true, force: true }),
      visibleUntilGone: visible === 'until gone',
    });
  }

  /** Resolves once every write started so far has finished. */
  flushed(): Promise<void> {
    return this.records.flushed();
  }
}

export class DataDirInUseError extends Error {}
