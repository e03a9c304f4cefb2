import type { SandboxRecord } from '../sandbox-record.ts';
import type { SandboxStore } from '../sandbox-store.ts';

/**
 * Last-activity times: stamped in memory on every call (a toolbox call may come many times a second)
 * and written to disk in batches by `flush`.
 */
export class ActivityLog {
  private readonly dirty = new Set<string>();
  private readonly store: SandboxStore;
  private readonly now: () => number;

  constructor(store: SandboxStore, now: () => number) {
    this.store = store;
    this.now = now;
  }

  touch(record: SandboxRecord): void {
    if (this.store.get(record.id) !== record) return;
    record.lastActivityAt = new Date(this.now()).toISOString();
    this.dirty.add(record.id);
  }

  /** Writes activity timestamps that changed since the last flush. */
  async flush(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    await Promise.all(
      ids.map(async (id) => {
        const record = this.store.get(id);
        if (record) await this.store.save(record);
      }),
    );
  }

  forget(id: string): void {
    this.dirty.delete(id);
  }
}
