import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { lstat, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { badRequest, conflict, notFound } from '../errors.ts';
import { RecordDir } from '../record-dir.ts';
import { LOCAL_ORGANIZATION_ID } from '../sandbox-record.ts';
import type { BindMount } from '../sandbox-runner/index.ts';
import { isInside } from '../toolbox/sandbox-paths.ts';

/** Daytona's volume states (api-client VolumeState); a local volume is ready as soon as its folder exists. */
const VOLUME_STATES = ['creating', 'ready', 'pending_create', 'pending_delete', 'deleting', 'deleted', 'error'] as const;

const volumeSchema = z.object({
  id: z.uuid(),
  name: z.string().min(1),
  state: z.enum(VOLUME_STATES),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastUsedAt: z.string().nullable(),
  errorReason: z.string().nullable(),
});
export type VolumeRecord = z.infer<typeof volumeSchema>;

/** How a sandbox names a volume (Daytona's SandboxVolume), with the volume's id resolved. */
export interface SandboxVolume {
  volumeId: string;
  mountPath: string;
  subpath?: string | undefined;
}

/**
 * Daytona volumes as named folders under the provider's data dir: metadata in `<dataDir>/volumes/<id>.json`,
 * contents in `<dataDir>/volume-data/<id>/`, bound read-write into every sandbox that names the volume (so
 * sandboxes share it, as on Daytona).
 */
export class VolumeStore {
  private readonly records: RecordDir<VolumeRecord>;
  private readonly dataDir: string;
  private readonly now: () => number;

  constructor(providerDataDir: string, now: () => number = Date.now) {
    this.records = new RecordDir(join(providerDataDir, 'volumes'), volumeSchema);
    this.dataDir = join(providerDataDir, 'volume-data');
    this.now = now;
  }

  async load(): Promise<string[]> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const unreadable = await this.records.load();
    // A delete the provider did not finish (it stopped in between) is finished now.
    for (const volume of this.records.all()) if (volume.state === 'pending_delete') void this.finishDelete(volume);
    return unreadable;
  }

  /** Every volume, most recently used first (then newest), as Daytona lists them; deleted ones only when asked. */
  list(includeDeleted = false): VolumeRecord[] {
    return this.records
      .all()
      .filter((volume) => includeDeleted || volume.state !== 'deleted')
      .sort((a, b) => (b.lastUsedAt ?? '').localeCompare(a.lastUsedAt ?? '') || b.createdAt.localeCompare(a.createdAt));
  }

  get(id: string): VolumeRecord {
    const volume = this.records.get(id);
    if (!volume) throw notFound(`Volume with ID ${id} not found`);
    return volume;
  }

  getByName(name: string): VolumeRecord {
    const volume = this.records.all().find((v) => v.name === name && v.state !== 'deleted');
    if (!volume) throw notFound(`Volume with name ${name} not found`);
    return volume;
  }

  /** A volume a sandbox names by id or name; it must exist and be ready (Daytona's validateVolumes). */
  usable(idOrName: string): VolumeRecord {
    const volume =
      this.records.all().find((v) => v.id === idOrName && v.state !== 'deleted') ??
      this.records.all().find((v) => v.name === idOrName && v.state !== 'deleted');
    if (!volume) throw notFound(`Volume '${idOrName}' not found`);
    if (volume.state !== 'ready') throw badRequest(`Volume '${volume.name}' is not in a ready state. Current state: ${volume.state}`);
    return volume;
  }

  async create(name: string | undefined): Promise<VolumeRecord> {
    const id = randomUUID();
    const wanted = name || id;
    if (this.records.all().some((v) => v.name === wanted && v.state !== 'deleted')) {
      throw badRequest(`Volume with name ${wanted} already exists`);
    }
    const at = new Date(this.now()).toISOString();
    const volume: VolumeRecord = { id, name: wanted, state: 'ready', createdAt: at, updatedAt: at, lastUsedAt: null, errorReason: null };
    await mkdir(this.folderOf(id), { mode: 0o755 });
    await this.records.save(volume);
    return volume;
  }

  /**
   * Daytona's delete: only a ready (or failed) volume that no sandbox names; `usedBy` is such a sandbox's name.
   * The folder goes after the reply; the record stays, as Daytona's does, in state 'deleted'.
   */
  async delete(id: string, usedBy: string | undefined): Promise<void> {
    const volume = this.get(id);
    if (volume.state !== 'ready' && volume.state !== 'error') {
      throw badRequest(`Volume must be in 'ready' or 'error' state in order to be deleted`);
    }
    if (usedBy !== undefined) throw conflict(`Volume cannot be deleted because it is in use by one or more sandboxes (e.g. ${usedBy})`);
    this.setState(volume, 'pending_delete');
    await this.records.save(volume);
    void this.finishDelete(volume);
  }

  /** Where a sandbox's volumes appear, outermost first; each host folder is checked to lie inside its volume. */
  mountsOf(volumes: readonly SandboxVolume[]): BindMount[] {
    return volumes
      .map((v) => ({ sandboxPath: v.mountPath, hostPath: this.checkedPath(v) }))
      .sort((a, b) => a.sandboxPath.split('/').length - b.sandboxPath.split('/').length);
  }

  /** Before a sandbox starts: each named part of a volume exists (a subpath is made on first use), and it was used now. */
  async prepare(volumes: readonly SandboxVolume[]): Promise<BindMount[]> {
    for (const v of volumes) {
      const volume = this.usable(v.volumeId);
      if (v.subpath) await makeSubpath(this.folderOf(volume.id), v.subpath);
      volume.lastUsedAt = new Date(this.now()).toISOString();
      await this.records.save(volume);
    }
    return this.mountsOf(volumes);
  }

  flushed(): Promise<void> {
    return this.records.flushed();
  }

  private folderOf(id: string): string {
    return join(this.dataDir, id);
  }

  /**
   * The host folder for one mount, with every symlink resolved. A sandbox that mounts a whole volume could have
   * swapped a subpath for a symlink to anywhere on the host: such a path is refused, never bound.
   */
  private checkedPath(v: SandboxVolume): string {
    let root: string;
    let target: string;
    try {
      root = realpathSync(this.folderOf(v.volumeId));
      target = realpathSync(join(root, v.subpath ?? ''));
    } catch {
      throw badRequest(
        `Volume ${v.volumeId} has no folder '${v.subpath ?? ''}' (removed from another sandbox?): restart the sandbox to make it again.`,
      );
    }
    if (!isInside(root, target)) {
      throw badRequest(`Subpath '${v.subpath}' of volume ${v.volumeId} leads outside the volume (a symlink?): remove or replace it.`);
    }
    return target;
  }

  private setState(volume: VolumeRecord, state: VolumeRecord['state']): void {
    volume.state = state;
    volume.updatedAt = new Date(this.now()).toISOString();
  }

  private async finishDelete(volume: VolumeRecord): Promise<void> {
    try {
      await rm(this.folderOf(volume.id), { recursive: true, force: true });
      this.setState(volume, 'deleted');
    } catch (error) {
      this.setState(volume, 'error');
      volume.errorReason = `its folder could not be removed: ${error instanceof Error ? error.message : String(error)}`;
    }
    await this.records.save(volume).catch(() => {});
  }
}

/**
 * Makes `subpath` inside `root` one folder at a time, never through a symlink: a sandbox that mounts the whole
 * volume may have put one where the subpath goes, and mkdir -p would follow it out of the volume.
 */
async function makeSubpath(root: string, subpath: string): Promise<void> {
  let path = root;
  for (const part of subpath.split('/').filter((p) => p.length > 0)) {
    path = join(path, part);
    const stats = await lstat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!stats) await mkdir(path, { mode: 0o755 });
    else if (!stats.isDirectory())
      throw badRequest(`Subpath '${subpath}' of the volume is not a folder ('${part}' is a file or symlink): remove it.`);
  }
}

/** The volume's DTO (Daytona's VolumeDto). */
export function toVolumeDto(volume: VolumeRecord) {
  return {
    id: volume.id,
    name: volume.name,
    organizationId: LOCAL_ORGANIZATION_ID,
    state: volume.state,
    createdAt: volume.createdAt,
    updatedAt: volume.updatedAt,
    lastUsedAt: volume.lastUsedAt,
    errorReason: volume.errorReason,
  };
}
