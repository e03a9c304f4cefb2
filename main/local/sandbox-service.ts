import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { ApiError, conflict, notFound } from './errors.ts';
import { ActivityLog } from './lifecycle/activity.ts';
import { afterRestart, RESTING_STATES, runDueJobs } from './lifecycle/auto-lifecycle.ts';
import { hostnameOf, newSandboxRecord, type CreateParams } from './lifecycle/new-sandbox.ts';
import { RunningAccess } from './lifecycle/running-access.ts';
import { SandboxRuntimes, type ResourceHooks } from './lifecycle/sandbox-runtimes.ts';
import { pause } from './lifecycle/pause-fork-resize.ts';
import { archive, recover, remove, start, stop } from './lifecycle/start-stop.ts';
import { SerialQueues } from './lifecycle/serial-queues.ts';
import { StateRecorder, type EmitEvent } from './lifecycle/state-recorder.ts';
import type { TransitionContext } from './lifecycle/transition-context.ts';
import { assertChangeable } from './lifecycle/transition-rules.ts';
import { validateAllowList } from './network-policy.ts';
import { toListItemDto, toSandboxDto, type SandboxRecord } from './sandbox-record.ts';
import type { SandboxStore } from './sandbox-store.ts';
import type { CommandSpec, PtySpec, SandboxDirs, SandboxPty, SandboxRunner } from './sandbox-runner/index.ts';

export type { CreateParams } from './lifecycle/new-sandbox.ts';
export type { EmitEvent, ProviderEventName } from './lifecycle/state-recorder.ts';

export interface SandboxServiceOptions {
  store: SandboxStore;
  runner: SandboxRunner;
  emit: EmitEvent;
  toolboxProxyUrl: () => string;
  /** Milliseconds per "minute" of the auto-stop/archive/delete intervals (tests scale time down). */
  minuteMs: number;
  now?: () => number;
  log?: (line: string) => void;
  resources?: ResourceHooks | undefined;
}

/**
 * The sandbox lifecycle: Daytona's states and transitions, one file of metadata per sandbox, the
 * processes each sandbox runs, and the events every transition emits.
 *
 * Concurrency rules: every change to one sandbox runs its sandbox's queue, one at a time, and
 * re-checks that the sandbox still exists when its turn comes (a queued update must not resurrect a
 * deleted sandbox). The slow half of a transition (boot, kill, remove) runs in the same queue after
 * the HTTP reply, so SDK waits resolve by event. Once `shutdown` begins nothing new starts.
 */
export class SandboxService {
  private readonly store: SandboxStore;
  private readonly runner: SandboxRunner;
  private readonly emit: EmitEvent;
  private readonly toolboxProxyUrl: () => string;
  readonly minuteMs: number;
  readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly runtimes: SandboxRuntimes;
  private readonly states: StateRecorder;
  readonly access: RunningAccess;
  private readonly queues = new SerialQueues();
  private readonly activity: ActivityLog;
  /** For the transitions in lifecycle/ (pause, fork, resize, network updates), which take it as their context. */
  readonly transitions: TransitionContext;
  private closing = false;
  private ticking = false;

  constructor(options: SandboxServiceOptions) {
    this.store = options.store;
    this.runner = options.runner;
    this.emit = options.emit;
    this.toolboxProxyUrl = options.toolboxProxyUrl;
    this.minuteMs = options.minuteMs;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    this.runtimes = new SandboxRuntimes({
      runner: this.runner,
      dirsOf: (id) => this.dirsOf(id),
      log: this.log,
      closing: () => this.closing,
      resources: options.resources,
    });
    this.activity = new ActivityLog(this.store, this.now);
    this.states = new StateRecorder({
      store: this.store,
      emit: this.emit,
      dto: (record) => this.dto(record),
      now: this.now,
      log: this.log,
    });
    this.access = new RunningAccess({
      get: (idOrName) => this.get(idOrName),
      lookup: (id) => this.store.get(id),
      touch: (record) => this.touch(record),
      fail: (record, error) => this.states.fail(record, error),
      closing: () => this.closing,
      log: this.log,
      runtimes: this.runtimes,
      queues: this.queues,
    });
    this.transitions = {
      transition: (idOrName, check, work) => this.transition(idOrName, check, work),
      inBackground: (record, work) => this.inBackground(record, work),
      states: this.states,
      runtimes: this.runtimes,
      log: this.log,
      dirsOf: (id) => this.dirsOf(id),
      createWith: (params, prepare) => this.createWith(params, prepare),
      save: async (record) => {
        record.updatedAt = new Date(this.now()).toISOString();
        await this.store.save(record);
      },
      discard: async (id) => {
        this.activity.forget(id);
        await this.store.remove(id);
      },
    };
  }

  get isolation() {
    return this.runner.isolation;
  }

  dto(record: SandboxRecord) {
    return toSandboxDto(record, this.toolboxProxyUrl());
  }

  listItem(record: SandboxRecord) {
    return toListItemDto(record, this.toolboxProxyUrl());
  }

  toolboxUrl(): string {
    return this.toolboxProxyUrl();
  }

  dirsOf(id: string): SandboxDirs {
    const root = this.store.rootOf(id);
    return { home: join(root, 'home'), tmp: join(root, 'tmp'), mounts: this.runtimes.mountsOf(this.store.get(id)) };
  }

  list(): SandboxRecord[] {
    return this.store.all();
  }

  /** Finds a sandbox by id or name, or throws a 404 that says how to list them. */
  get(idOrName: string): SandboxRecord {
    const record = this.store.findByIdOrName(idOrName);
    if (!record) throw notFound(`Sandbox with ID or name ${idOrName} not found. List sandboxes with GET /api/sandbox.`);
    return record;
  }

  /** For toolbox calls: the sandbox must exist and be started. Counts as activity. */
  requireStarted(id: string): SandboxRecord {
    return this.access.requireStarted(id);
  }

  touch(record: SandboxRecord): void {
    this.activity.touch(record);
  }

  /** Writes activity timestamps that changed since the last flush. */
  flushActivity(): Promise<void> {
    return this.activity.flush();
  }

  /** Starts a command in a started sandbox (see RunningAccess.spawn). */
  spawn(id: string, argv: string[], command: CommandSpec): Promise<ChildProcess> {
    return this.access.spawn(id, argv, command);
  }

  /** Starts a command on a terminal of its own in a started sandbox (see RunningAccess.spawnPty). */
  spawnPty(id: string, argv: string[], spec: PtySpec): Promise<SandboxPty> {
    return this.access.spawnPty(id, argv, spec);
  }

  /** A TCP connection to 127.0.0.1:<port> in a started sandbox (see RunningAccess.connect). */
  connect(id: string, port: number): Promise<Socket> {
    return this.access.connect(id, port);
  }

  runningProcessCount(id: string): number {
    return this.runtimes.count(id);
  }

  /** The started sandbox's cgroup, where the runner gives it one (tests, diagnosis). */
  cgroupOf(id: string) {
    return this.runtimes.get(id)?.cgroup;
  }

  // ── transitions ────────────────────────────────────────────────────────

  /**
   * A caller-initiated change: refused once shutdown begins; runs in the sandbox's queue, and only if
   * the sandbox still exists when its turn comes.
   */
  private transition<T>(
    idOrName: string,
    check: (record: SandboxRecord) => unknown,
    work: (record: SandboxRecord) => Promise<T>,
  ): Promise<T> {
    if (this.closing) return Promise.reject(shuttingDown());
    const record = this.get(idOrName);
    // Checked at once, as Daytona answers (a call during another's slow half gets its 409 now, not after it),
    // and again when its turn comes.
    check(record);
    return this.queues.run(record.id, async () => {
      if (this.store.get(record.id) !== record) throw notFound(`Sandbox ${record.id} was deleted. List sandboxes with GET /api/sandbox.`);
      check(record);
      return work(record);
    });
  }

  /** Queues the slow half of a transition after the HTTP reply; a failure puts the sandbox in `error`. */
  private inBackground(record: SandboxRecord, work: () => Promise<void>): void {
    const task = this.queues
      .run(record.id, async () => {
        if (this.store.get(record.id) !== record) return;
        try {
          await work();
        } catch (error) {
          await this.states.fail(record, error);
        }
      })
      .catch((error: unknown) => this.log(`background transition failed for ${record.id}: ${String(error)}`));
    this.queues.track(task);
  }

  /** Waits until no transition is queued or running (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queues.idle();
  }

  create(params: CreateParams): Promise<SandboxRecord> {
    return this.createWith(params, async () => {});
  }

  /** Create, with `prepare` run on the new sandbox (a fork's copy) before it is saved and started. */
  private async createWith(params: CreateParams, prepare: (record: SandboxRecord) => Promise<void>): Promise<SandboxRecord> {
    if (this.closing) throw shuttingDown();
    const name = params.name ?? undefined;
    if (name !== undefined && this.store.findByIdOrName(name)) {
      throw conflict(`Sandbox with name ${name} already exists. Pick another name, or delete the existing sandbox first.`);
    }
    if (params.networkAllowList !== undefined) validateAllowList(params.networkAllowList);
    const record = newSandboxRecord(params, this.runner, new Date(this.now()).toISOString());
    const id = record.id;
    // Taken at once, so a second create with the same name (even in the same tick) gets the 409.
    this.store.add(record);
    return this.queues.run(id, async () => {
      await prepare(record).catch(async (error: unknown) => {
        await this.store.remove(id);
        throw error;
      });
      // The record's write (fsync'd) and the boot (with a warm pool, a few renames) run side by side; the answer
      // waits for both, so a sandbox the answer names is on disk.
      const [saved, booted] = await Promise.allSettled([this.store.save(record), this.runtimes.boot(record, hostnameOf(record))]);
      if (saved.status === 'rejected') {
        await this.runtimes.stop(id, true);
        this.runtimes.forget(id);
        // Never answered, so it never existed: gone from lists at once (the write's own error says more than this one's).
        await this.store.remove(id, 'gone at once').catch(() => {});
        const reason = saved.reason instanceof Error ? saved.reason.message : String(saved.reason);
        throw new ApiError(
          500,
          `Sandbox ${id} could not be saved (${reason}), so it was not created. Check that the provider's data directory is writable and not full, then retry.`,
        );
      }
      this.emit('sandbox.created', this.dto(record));
      if (booted.status === 'rejected') {
        await this.states.fail(record, booted.reason);
        throw new ApiError(
          500,
          `Sandbox ${id} could not start: ${record.errorReason ?? 'unknown error'} Recover it (sandbox.recover()) to retry, or delete it (it is kept in state 'error' for inspection).`,
        );
      }
      // On disk it says 'creating' until this write lands: a restart makes a stopped sandbox of either.
      await this.states.setState(record, 'started', { persist: 'background' });
      return record;
    });
  }

  /** Starts a stopped or archived sandbox, or resumes a paused one (lifecycle/start-stop.ts). */
  start(idOrName: string): Promise<SandboxRecord> {
    return start(this.transitions, idOrName);
  }

  /** Daytona's recover for a sandbox in error: its runtime started again (left stopped with skipStart). */
  recover(idOrName: string, skipStart = false): Promise<SandboxRecord> {
    return recover(this.transitions, idOrName, skipStart);
  }

  /** Stops a started sandbox; an ephemeral one (autoDeleteInterval 0) is deleted instead, as on Daytona. */
  stop(idOrName: string, force = false): Promise<SandboxRecord> {
    return stop(this.transitions, idOrName, force);
  }

  archive(idOrName: string): Promise<SandboxRecord> {
    return archive(this.transitions, idOrName);
  }

  delete(idOrName: string): Promise<SandboxRecord> {
    return remove(this.transitions, idOrName);
  }

  async update(idOrName: string, change: (record: SandboxRecord) => void): Promise<SandboxRecord> {
    return this.transition(idOrName, assertChangeable, async (record) => {
      change(record);
      await this.transitions.save(record);
      return record;
    });
  }

  // ── startup, shutdown and the auto-stop/archive/delete clock ───────────

  /** After a restart nothing runs: started sandboxes come back stopped; half-done deletes finish. */
  async recoverAfterRestart(): Promise<void> {
    for (const record of this.store.all()) {
      if (afterRestart(record) === 'remove') await this.store.remove(record.id);
      else await this.store.save(record);
    }
  }

  /** One pass of Daytona's auto-stop, auto-archive and auto-delete jobs (docs/daytona-api.md §11). */
  async tick(): Promise<void> {
    // The interval fires whether or not the previous pass finished; one pass at a time.
    if (this.ticking || this.closing) return;
    this.ticking = true;
    try {
      await runDueJobs(this.store.all(), this.now(), this.minuteMs, {
        busy: (id) => this.queues.busy(id),
        closing: () => this.closing,
        run: (action, id) => (action === 'pause' ? pause(this.transitions, id) : this[action](id)),
        log: this.log,
        expected: (error) => error instanceof ApiError,
      });
    } finally {
      this.ticking = false;
    }
  }

  /**
   * For a clean provider exit: refuses new work, lets queued transitions finish, kills every process
   * and saves every sandbox (running ones as stopped, so a restart shows the truth).
   */
  async shutdown(): Promise<void> {
    this.closing = true;
    await this.idle();
    for (const record of this.store.all()) {
      await this.runtimes.stop(record.id, true);
      if (!RESTING_STATES.has(record.state)) {
        await this.states.setDesired(record, 'stopped');
        await this.states.setState(record, 'stopped');
      }
    }
    await this.flushActivity();
    await this.store.flushed();
  }
}

function shuttingDown(): ApiError {
  return new ApiError(503, 'The local provider is shutting down: retry once it is running again.');
}
