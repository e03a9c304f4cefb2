import type { SandboxRecord } from '../sandbox-record.ts';
import type { SandboxDirs } from '../sandbox-runner/index.ts';
import type { CreateParams } from './new-sandbox.ts';
import type { SandboxRuntimes } from './sandbox-runtimes.ts';
import type { StateRecorder } from './state-recorder.ts';

/**
 * What the service lends the transitions in lifecycle/ (start, stop, delete, pause, fork, resize, network
 * updates): its queue discipline, states, runtimes and new-sandbox path.
 */
export interface TransitionContext {
  /** A caller's change in the sandbox's queue, checked at once and again when its turn comes (SandboxService.transition). */
  transition<T>(idOrName: string, check: (record: SandboxRecord) => unknown, work: (record: SandboxRecord) => Promise<T>): Promise<T>;
  /** The slow half after the reply, in the sandbox's queue; a failure puts it in `error`. */
  inBackground(record: SandboxRecord, work: () => Promise<void>): void;
  states: StateRecorder;
  runtimes: SandboxRuntimes;
  log(line: string): void;
  dirsOf(id: string): SandboxDirs;
  /** Registers a new sandbox (the name is taken at once), then `prepare`s it and starts it as create does. */
  createWith(params: CreateParams, prepare: (record: SandboxRecord) => Promise<void>): Promise<SandboxRecord>;
  /** Stamps updatedAt and saves. */
  save(record: SandboxRecord): Promise<void>;
  /** Drops everything kept for a deleted sandbox (its activity, its metadata and files). Its runtime is stopped already. */
  discard(id: string): Promise<void>;
}
