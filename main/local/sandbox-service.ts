import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { ApiError, conflict, notFound } from './errors.ts';
import { ActivityLog } from './lifecycle/activity.ts';
import { afterRestart, RESTING_STATES, runDueJobs } from './lifecycle/auto-lifecycle.ts';
import { hostnameOf, newSandboxRecord, type CreateParams } from './lifecycle/new-sandbox.ts';
import { SandboxRuntimes } from './lifecycle/sandbox-runtimes.ts';
import { SerialQueues } from './lifecycle/serial-queues.ts';
import { StateRecorder, type EmitEvent } from './lifecycle/state-recorder.ts';
import { archiveVerdict, assertChangeable, deleteVerdict, startVerdict, stopVerdict } from './lifecycle/transition-rules.ts';
import { networkPolicyOf, parseAllowList } from './network-policy.ts';
import { RUNNING_STATES, toListItemDto, toSandboxDto, type SandboxRecord } from './sandbox-record.ts';
import type { SandboxStore } from './sandbox-store.ts';
import type { CommandSpec, RunningSandbox, SandboxDirs, SandboxRunner } from './sandbox-runner/index.ts';

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
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly runtimes: SandboxRuntimes;
  private readonly states: StateRecorder;
  private readonly queues = new SerialQueues();
  private readonly activity: ActivityLog;
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
    });
    this.activity = new ActivityLog(this.store, this.now);
    this.states = new StateRecorder({
      store: this.store,
      emit: this.emit,
      dto: (record) => this.dto(record),
      now: this.now,
      log: this.log,
    });
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
    return { home: join(root, 'home'), tmp: join(root, 'tmp') };
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
    const record = this.get(id);
    if (!RUNNING_STATES.has(record.state) || this.closing) throw this.notStarted(record);
    this.touch(record);
    return record;
  }

  touch(record: SandboxRecord): void {
    this.activity.touch(record);
  }

  /** Writes activity timestamps that changed since the last flush. */
  flushActivity(): Promise<void> {
    return this.activity.flush();
  }

  // ── processes ──────────────────────────────────────────────────────────

  /**
   * Starts a command in a started sandbox; stop/delete end it with everything else the sandbox runs.
   * When the sandbox's runtime died on its own (OOM killer, killed by hand) it is started again first:
   * what ran in the background is gone, as after a container restart, but the sandbox keeps working.
   */
  async spawn(id: string, argv: string[], command: CommandSpec): Promise<ChildProcess> {
    let sandbox = this.runtimes.get(id);
    if (!sandbox?.alive) sandbox = await this.revive(id);
    const record = this.store.get(id);
    if (this.closing || !record || !RUNNING_STATES.has(record.state) || this.runtimes.get(id) !== sandbox || !sandbox.alive) {
      // A stop, delete or shutdown began after the request passed requireStarted.
      throw this.notStarted(record ?? this.get(id));
    }
    return this.runtimes.spawn(id, sandbox, argv, command);
  }

  /**
   * Changes what a sandbox may reach. A started sandbox with a network of its own gets the new rules at
   * once; one on the host's network gets them at its next start (the config says why it has no own network).
   */
  async updateNetwork(
    idOrName: string,
    settings: { networkBlockAll?: boolean | undefined; networkAllowList?: string | undefined },
  ): Promise<SandboxRecord> {
    if (settings.networkAllowList !== undefined) parseAllowList(settings.networkAllowList);
    return this.transition(idOrName, async (record) => {
      assertChangeable(record);
      const next = {
        networkBlockAll: settings.networkBlockAll ?? record.networkBlockAll,
        networkAllowList: settings.networkAllowList ?? record.networkAllowList,
      };
      const sandbox = this.runtimes.get(record.id);
      if (sandbox?.alive && sandbox.network === 'own') await sandbox.setNetwork(networkPolicyOf(next));
      record.networkBlockAll = next.networkBlockAll;
      if (next.networkAllowList === undefined) delete record.networkAllowList;
      else record.networkAllowList = next.networkAllowList;
      record.updatedAt = new Date(this.now()).toISOString();
      await this.store.save(record);
      return record;
    });
  }

  /**
   * A TCP connection to 127.0.0.1:<port> as a started sandbox sees it (the preview proxy's way in). Rejects
   * with a 409 when the sandbox is not started, and with code ECONNREFUSED when nothing listens there.
   */
  async connect(id: string, port: number): Promise<Socket> {
    const record = this.get(id);
    const sandbox = this.runtimes.get(record.id);
    if (this.closing || !RUNNING_STATES.has(record.state) || !sandbox?.alive) throw this.notStarted(record);
    this.touch(record);
    return sandbox.connect(port);
  }

  private notStarted(record: SandboxRecord): ApiError {
    return conflict(
      `Sandbox ${record.id} is ${this.closing ? 'shutting down with the provider' : record.state}: start it first (sandbox.start(), or the start_sandbox tool), then retry.`,
    );
  }

  /** Starts a started sandbox's runtime again after it died; in the sandbox's queue, so never during a stop. */
  private revive(id: string): Promise<RunningSandbox> {
    return this.queues.run(id, async () => {
      const record = this.get(id);
      if (this.closing || !RUNNING_STATES.has(record.state)) throw this.notStarted(record);
      const current = this.runtimes.get(id);
      if (current?.alive) return current;
      if (current) this.runtimes.reportDeath(id, current);
      this.log(`sandbox ${id}: starting its processes again for the next command`);
      try {
        await this.runtimes.stop(id, true);
        return await this.runtimes.boot(record, hostnameOf(record));
      } catch (error) {
        await this.states.fail(record, error);
        throw new ApiError(
          500,
          `Sandbox ${id} could not be started again: ${record.errorReason ?? 'unknown error'} Start it (sandbox.start()) to retry, or delete it.`,
        );
      }
    });
  }

  runningProcessCount(id: string): number {
    return this.runtimes.count(id);
  }

  // ── transitions ────────────────────────────────────────────────────────

  /**
   * A caller-initiated change: refused once shutdown begins; runs in the sandbox's queue, and only if
   * the sandbox still exists when its turn comes.
   */
  private transition<T>(idOrName: string, work: (record: SandboxRecord) => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(shuttingDown());
    const record = this.get(idOrName);
    return this.queues.run(record.id, async () => {
      if (this.store.get(record.id) !== record) throw notFound(`Sandbox ${record.id} was deleted. List sandboxes with GET /api/sandbox.`);
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

  async create(params: CreateParams): Promise<SandboxRecord> {
    if (this.closing) throw shuttingDown();
    const name = params.name ?? undefined;
    if (name !== undefined && this.store.findByIdOrName(name)) {
      throw conflict(`Sandbox with name ${name} already exists. Pick another name, or delete the existing sandbox first.`);
    }
    if (params.networkAllowList !== undefined) parseAllowList(params.networkAllowList);
    const record = newSandboxRecord(params, this.runner, new Date(this.now()).toISOString());
    const id = record.id;
    // Taken at once, so a second create with the same name (even in the same tick) gets the 409.
    this.store.add(record);
    return this.queues.run(id, async () => {
      await this.store.save(record);
      this.emit('sandbox.created', this.dto(record));
      try {
        await this.runtimes.boot(record, hostnameOf(record));
      } catch (error) {
        await this.states.fail(record, error);
        throw new ApiError(
          500,
          `Sandbox ${id} could not start: ${record.errorReason ?? 'unknown error'} Delete it (it is kept in state 'error' for inspection).`,
        );
      }
      await this.states.setState(record, 'started');
      return record;
    });
  }

  async start(idOrName: string): Promise<SandboxRecord> {
    return this.transition(idOrName, async (record) => {
      if (startVerdict(record) === 'noop') return record;
      const from = record.state;
      await this.states.setDesired(record, 'started');
      await this.states.setState(record, from === 'archived' ? 'restoring' : 'starting');
      this.inBackground(record, async () => {
        await this.runtimes.boot(record, hostnameOf(record));
        await this.states.setState(record, 'started');
      });
      return record;
    });
  }

  async stop(idOrName: string, force = false): Promise<SandboxRecord> {
    return this.transition(idOrName, async (record) => {
      if (stopVerdict(record) === 'noop') return record;
      await this.states.setDesired(record, 'stopped');
      await this.states.setState(record, 'stopping');
      this.inBackground(record, async () => {
        await this.runtimes.stop(record.id, force);
        await this.states.setState(record, 'stopped');
      });
      return record;
    });
  }

  async archive(idOrName: string): Promise<SandboxRecord> {
    return this.transition(idOrName, async (record) => {
      if (archiveVerdict(record) === 'noop') return record;
      await this.states.setDesired(record, 'archived');
      await this.states.setState(record, 'archiving');
      // Local archives keep the files where they are; archiving only changes what the sandbox may do.
      this.inBackground(record, () => this.states.setState(record, 'archived'));
      return record;
    });
  }

  async delete(idOrName: string): Promise<SandboxRecord> {
    return this.transition(idOrName, async (record) => {
      if (deleteVerdict(record) === 'noop') return record;
      await this.states.setDesired(record, 'destroyed');
      await this.states.setState(record, 'destroying');
      this.inBackground(record, () => this.destroy(record));
      return record;
    });
  }

  private async destroy(record: SandboxRecord): Promise<void> {
    await this.runtimes.stop(record.id, true);
    this.runtimes.forget(record.id);
    this.activity.forget(record.id);
    await this.store.remove(record.id);
    await this.states.setState(record, 'destroyed');
  }

  async update(idOrName: string, change: (record: SandboxRecord) => void): Promise<SandboxRecord> {
    return this.transition(idOrName, async (record) => {
      assertChangeable(record);
      change(record);
      record.updatedAt = new Date(this.now()).toISOString();
      await this.store.save(record);
      return record;
    });
  }

  // ── startup, shutdown and the auto-stop/archive/delete clock ───────────

  /** After a restart nothing runs: started sandboxes come back stopped; half-done deletes finish. */
  async recover(): Promise<void> {
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
        run: (action, id) => this[action](id),
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
