import type { SandboxDesiredState, SandboxRecord, SandboxState } from '../sandbox-record.ts';
import type { SandboxStore } from '../sandbox-store.ts';

export type ProviderEventName = 'sandbox.created' | 'sandbox.state.updated' | 'sandbox.desired-state.updated';
export type EmitEvent = (event: ProviderEventName, payload: unknown) => void;

export interface StateRecorderOptions {
  store: SandboxStore;
  emit: EmitEvent;
  dto: (record: SandboxRecord) => unknown;
  now: () => number;
  log: (line: string) => void;
}

/** Writes a sandbox's state and desired state, saves it and emits Daytona's event for every change. */
export class StateRecorder {
  private readonly options: StateRecorderOptions;

  constructor(options: StateRecorderOptions) {
    this.options = options;
  }

  /**
   * `persist: 'background'` queues the write without waiting for it, for a change a crash may lose because the restart
   * makes the same of both states (a create's 'creating' → 'started': either comes back stopped, lifecycle/auto-lifecycle.ts).
   */
  async setState(record: SandboxRecord, state: SandboxState, options: { persist?: 'now' | 'background' } = {}): Promise<void> {
    const oldState = record.state;
    if (oldState === state) return;
    record.state = state;
    record.updatedAt = new Date(this.options.now()).toISOString();
    if (state === 'started' || state === 'stopped') record.lastActivityAt = record.updatedAt;
    if (state !== 'error') delete record.errorReason;
    if (state === 'destroyed') {
      // Nothing to write: the record is being removed.
    } else if (options.persist === 'background') {
      void this.options.store
        .save(record)
        .catch((error: unknown) => this.options.log(`could not save sandbox ${record.id} (${String(error)}); the next save writes it`));
    } else await this.options.store.save(record);
    this.options.emit('sandbox.state.updated', { sandbox: this.options.dto(record), oldState, newState: state });
  }

  async setDesired(record: SandboxRecord, desired: SandboxDesiredState): Promise<void> {
    const oldDesiredState = record.desiredState;
    if (oldDesiredState === desired) return;
    record.desiredState = desired;
    await this.options.store.save(record);
    this.options.emit('sandbox.desired-state.updated', { sandbox: this.options.dto(record), oldDesiredState, newDesiredState: desired });
  }

  /** Puts a sandbox that still exists in `error`, with the reason. */
  async fail(record: SandboxRecord, error: unknown): Promise<void> {
    if (this.options.store.get(record.id) !== record) return;
    record.errorReason = error instanceof Error ? error.message : String(error);
    this.options.log(`sandbox ${record.id} failed: ${record.errorReason}`);
    await this.setState(record, 'error');
  }
}
