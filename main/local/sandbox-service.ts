import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { ApiError, badRequest, conflict, notFound } from './errors.ts';
import {
  ISOLATION_LABEL,
  NETWORK_LABEL,
  PROVIDER_LABELS,
  RUNNING_STATES,
  SANDBOX_USER,
  toListItemDto,
  toSandboxDto,
  type SandboxDesiredState,
  type SandboxRecord,
  type SandboxState,
} from './sandbox-record.ts';
import type { SandboxStore } from './sandbox-store.ts';
import { networkPolicyOf, parseAllowList } from './network-policy.ts';
import type { CommandSpec, RunningSandbox, SandboxDirs, SandboxRunner } from './sandbox-runner/index.ts';

export type ProviderEventName = 'sandbox.created' | 'sandbox.state.updated' | 'sandbox.desired-state.updated';
export type EmitEvent = (event: ProviderEventName, payload: unknown) => void;

export interface CreateParams {
  name?: string | undefined;
  snapshot?: string | undefined;
  image?: string | undefined;
  env?: Record<string, string> | undefined;
  labels?: Record<string, string> | undefined;
  public?: boolean | undefined;
  networkBlockAll?: boolean | undefined;
  networkAllowList?: string | undefined;
  cpu?: number | undefined;
  memory?: number | undefined;
  disk?: number | undefined;
  autoStopInterval?: number | undefined;
  autoArchiveInterval?: number | undefined;
  autoDeleteInterval?: number | undefined;
}

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

/** Daytona's server defaults (docs/daytona-api.md §4). */
export const DEFAULT_AUTO_STOP_MINUTES = 15;
export const DEFAULT_AUTO_ARCHIVE_MINUTES = 7 * 24 * 60;
export const MAX_AUTO_ARCHIVE_MINUTES = 30 * 24 * 60;
const DEFAULT_RESOURCES = { cpu: 1, memory: 1, disk: 3 };
const STOP_GRACE_MS = 2000;
/** States a provider restart cannot resume: their sandboxes come back stopped. */
const RESTING_STATES: ReadonlySet<SandboxState> = new Set(['stopped', 'archived', 'error', 'build_failed']);

/**
 * The sandbox lifecycle: Daytona's states and transitions, one file of metadata per sandbox, the
 * processes each sandbox runs, and the events every transition emits.
 *
 * Concurrency rules: every change to one sandbox runs inside `serialize(id)`, one at a time, and
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
  private readonly processes = new Map<string, Set<ChildProcess>>();
  /** The started sandboxes' runtimes (under bubblewrap, each one's long-lived namespaces). */
  private readonly running = new Map<string, RunningSandbox>();
  private readonly stopRequested = new WeakSet<RunningSandbox>();
  private readonly deathReported = new WeakSet<RunningSandbox>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly dirtyActivity = new Set<string>();
  private readonly background = new Set<Promise<unknown>>();
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
    if (this.store.get(record.id) !== record) return;
    record.lastActivityAt = new Date(this.now()).toISOString();
    this.dirtyActivity.add(record.id);
  }

  /** Writes activity timestamps that changed since the last flush. */
  async flushActivity(): Promise<void> {
    const ids = [...this.dirtyActivity];
    this.dirtyActivity.clear();
    await Promise.all(
      ids.map(async (id) => {
        const record = this.store.get(id);
        if (record) await this.store.save(record);
      }),
    );
  }

  // ── processes ──────────────────────────────────────────────────────────

  /**
   * Starts a command in a started sandbox; stop/delete end it with everything else the sandbox runs.
   * When the sandbox's runtime died on its own (OOM killer, killed by hand) it is started again first:
   * what ran in the background is gone, as after a container restart, but the sandbox keeps working.
   */
  async spawn(id: string, argv: string[], command: CommandSpec): Promise<ChildProcess> {
    let sandbox = this.running.get(id);
    if (!sandbox?.alive) sandbox = await this.revive(id);
    const record = this.store.get(id);
    if (this.closing || !record || !RUNNING_STATES.has(record.state) || this.running.get(id) !== sandbox || !sandbox.alive) {
      // A stop, delete or shutdown began after the request passed requireStarted.
      throw this.notStarted(record ?? this.get(id));
    }
    const child = sandbox.spawn(argv, command);
    let set = this.processes.get(id);
    if (!set) this.processes.set(id, (set = new Set()));
    set.add(child);
    const forget = () => set.delete(child);
    child.once('exit', forget);
    child.once('error', forget);
    return child;
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
      if (record.state === 'destroying' || record.desiredState === 'destroyed') {
        throw conflict(`Sandbox ${record.id} is being deleted: its settings can no longer change.`);
      }
      const next = {
        networkBlockAll: settings.networkBlockAll ?? record.networkBlockAll,
        networkAllowList: settings.networkAllowList ?? record.networkAllowList,
      };
      const sandbox = this.running.get(record.id);
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
    const sandbox = this.running.get(record.id);
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
    return this.serialize(id, async () => {
      const record = this.get(id);
      if (this.closing || !RUNNING_STATES.has(record.state)) throw this.notStarted(record);
      const current = this.running.get(id);
      if (current?.alive) return current;
      if (current) this.reportDeath(id, current);
      this.log(`sandbox ${id}: starting its processes again for the next command`);
      try {
        await this.stopProcesses(id, true);
        return await this.boot(record);
      } catch (error) {
        await this.fail(record, error);
        throw new ApiError(
          500,
          `Sandbox ${id} could not be started again: ${record.errorReason ?? 'unknown error'} Start it (sandbox.start()) to retry, or delete it.`,
        );
      }
    });
  }

  /** Logs once that a sandbox's runtime ended without a stop asking for it. */
  private reportDeath(id: string, sandbox: RunningSandbox): void {
    if (this.closing || this.stopRequested.has(sandbox) || this.deathReported.has(sandbox)) return;
    this.deathReported.add(sandbox);
    this.log(
      `sandbox ${id}: its processes ended unexpectedly (killed from outside the provider, or by the OOM killer?); the next command starts them again`,
    );
  }

  runningProcessCount(id: string): number {
    return this.processes.get(id)?.size ?? 0;
  }

  /** Ends everything the sandbox runs (SIGTERM with a grace period unless forced), and waits until it has. */
  private async stopProcesses(id: string, force: boolean): Promise<void> {
    const sandbox = this.running.get(id);
    this.running.delete(id);
    if (sandbox) this.stopRequested.add(sandbox);
    const children = [...(this.processes.get(id) ?? [])];
    await sandbox?.stop(force ? 0 : STOP_GRACE_MS);
    // The commands' own processes on the host (nsenter, or plain leaders) end with the sandbox; any left are killed.
    for (const child of children) this.runner.kill(child, 'SIGKILL');
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.once('error', () => resolve());
          }),
      ),
    );
  }

  // ── transitions ────────────────────────────────────────────────────────

  private serialize<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => {});
    this.locks.set(id, settled);
    void settled.then(() => {
      if (this.locks.get(id) === settled) this.locks.delete(id);
    });
    return next;
  }

  /**
   * A caller-initiated change: refused once shutdown begins; runs in the sandbox's queue, and only if
   * the sandbox still exists when its turn comes.
   */
  private transition<T>(idOrName: string, work: (record: SandboxRecord) => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(shuttingDown());
    const record = this.get(idOrName);
    return this.serialize(record.id, async () => {
      if (this.store.get(record.id) !== record) throw notFound(`Sandbox ${record.id} was deleted. List sandboxes with GET /api/sandbox.`);
      return work(record);
    });
  }

  /** Queues the slow half of a transition after the HTTP reply; a failure puts the sandbox in `error`. */
  private inBackground(record: SandboxRecord, work: () => Promise<void>): void {
    const task = this.serialize(record.id, async () => {
      if (this.store.get(record.id) !== record) return;
      try {
        await work();
      } catch (error) {
        await this.fail(record, error);
      }
    }).catch((error: unknown) => this.log(`background transition failed for ${record.id}: ${String(error)}`));
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }

  private async fail(record: SandboxRecord, error: unknown): Promise<void> {
    if (this.store.get(record.id) !== record) return;
    record.errorReason = error instanceof Error ? error.message : String(error);
    this.log(`sandbox ${record.id} failed: ${record.errorReason}`);
    await this.setState(record, 'error');
  }

  /** Waits until no transition is queued or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.locks.size > 0 || this.background.size > 0) await Promise.allSettled([...this.locks.values(), ...this.background]);
  }

  private async setState(record: SandboxRecord, state: SandboxState): Promise<void> {
    const oldState = record.state;
    if (oldState === state) return;
    record.state = state;
    record.updatedAt = new Date(this.now()).toISOString();
    if (state === 'started' || state === 'stopped') record.lastActivityAt = record.updatedAt;
    if (state !== 'error') delete record.errorReason;
    if (state !== 'destroyed') await this.store.save(record);
    this.emit('sandbox.state.updated', { sandbox: this.dto(record), oldState, newState: state });
  }

  private async setDesired(record: SandboxRecord, desired: SandboxDesiredState): Promise<void> {
    const oldDesiredState = record.desiredState;
    if (oldDesiredState === desired) return;
    record.desiredState = desired;
    await this.store.save(record);
    this.emit('sandbox.desired-state.updated', { sandbox: this.dto(record), oldDesiredState, newDesiredState: desired });
  }

  /** Starts the sandbox's runtime (its directories, and under bubblewrap its namespaces) before calling it started. */
  private async boot(record: SandboxRecord): Promise<RunningSandbox> {
    const dirs = this.dirsOf(record.id);
    await mkdir(dirs.home, { recursive: true, mode: 0o755 });
    await mkdir(dirs.tmp, { recursive: true, mode: 0o1777 });
    await chmod(dirs.tmp, 0o1777); // mkdir's mode passes through the umask; /tmp must be world-writable and sticky
    await this.stopProcesses(record.id, true); // a leftover from a failed run, if any
    let sandbox: RunningSandbox;
    try {
      sandbox = await this.runner.start({ dirs, hostname: hostnameOf(record), network: networkPolicyOf(record) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `the sandbox runtime failed to start: ${reason}. Check that bubblewrap works here (bwrap --unshare-user --ro-bind / / true).`,
        { cause: error },
      );
    }
    this.running.set(record.id, sandbox);
    void sandbox.ended.then(() => this.reportDeath(record.id, sandbox));
    return sandbox;
  }

  async create(params: CreateParams): Promise<SandboxRecord> {
    if (this.closing) throw shuttingDown();
    const name = params.name ?? undefined;
    if (name !== undefined && this.store.findByIdOrName(name)) {
      throw conflict(`Sandbox with name ${name} already exists. Pick another name, or delete the existing sandbox first.`);
    }
    if (params.networkAllowList !== undefined) parseAllowList(params.networkAllowList);
    const id = randomUUID();
    const now = new Date(this.now()).toISOString();
    // The isolation flag is the provider's to set, never the caller's.
    const labels = Object.fromEntries(Object.entries(params.labels ?? {}).filter(([key]) => !PROVIDER_LABELS.includes(key)));
    if (this.runner.isolation === 'none') labels[ISOLATION_LABEL] = 'none';
    if (this.runner.network === 'shared') labels[NETWORK_LABEL] = 'shared';
    const record: SandboxRecord = {
      id,
      name: name ?? id,
      ...(params.snapshot !== undefined ? { snapshot: params.snapshot } : {}),
      ...(params.image !== undefined ? { image: params.image } : {}),
      user: SANDBOX_USER,
      env: { ...params.env },
      labels,
      public: params.public ?? false,
      networkBlockAll: params.networkBlockAll ?? false,
      ...(params.networkAllowList !== undefined ? { networkAllowList: params.networkAllowList } : {}),
      cpu: params.cpu ?? DEFAULT_RESOURCES.cpu,
      gpu: 0,
      memory: params.memory ?? DEFAULT_RESOURCES.memory,
      disk: params.disk ?? DEFAULT_RESOURCES.disk,
      state: 'creating',
      desiredState: 'started',
      autoStopInterval: params.autoStopInterval ?? DEFAULT_AUTO_STOP_MINUTES,
      autoArchiveInterval: params.autoArchiveInterval ?? DEFAULT_AUTO_ARCHIVE_MINUTES,
      autoDeleteInterval: params.autoDeleteInterval ?? -1,
      createdAt: now,
      updatedAt: now,
      lastActivityAt: now,
      authToken: randomBytes(24).toString('base64url'),
    };
    // Taken at once, so a second create with the same name (even in the same tick) gets the 409.
    this.store.add(record);
    return this.serialize(id, async () => {
      await this.store.save(record);
      this.emit('sandbox.created', this.dto(record));
      try {
        await this.boot(record);
      } catch (error) {
        await this.fail(record, error);
        throw new ApiError(
          500,
          `Sandbox ${id} could not start: ${record.errorReason ?? 'unknown error'} Delete it (it is kept in state 'error' for inspection).`,
        );
      }
      await this.setState(record, 'started');
      return record;
    });
  }

  async start(idOrName: string): Promise<SandboxRecord> {
    return this.transition(idOrName, async (record) => {
      switch (record.state) {
        case 'started':
          return record;
        case 'stopped':
        case 'archived':
        case 'error':
        case 'build_failed':
          break;
        default:
          throw conflict(`Sandbox ${record.id} is ${record.state}; wait until it is stopped, then start it.`);
      }
      const from = record.state;
      await this.setDesired(record, 'started');
      await this.setState(record, from === 'archived' ? 'restoring' : 'starting');
      this.inBackground(record, async () => {
        await this.boot(record);
        await this.setState(record, 'started');
      });
      return record;
    });
  }

  async stop(idOrName: string, force = false): Promise<SandboxRecord> {
    return this.transition(idOrName, async (record) => {
      if (record.state === 'stopped' || record.state === 'archived') return record;
      if (record.state !== 'started' && record.state !== 'error') {
        throw conflict(`Sandbox ${record.id} is ${record.state}; wait until it is started, then stop it.`);
      }
      await this.setDesired(record, 'stopped');
      await this.setState(record, 'stopping');
      this.inBackground(record, async () => {
        await this.stopProcesses(record.id, force);
        await this.setState(record, 'stopped');
      });
      return record;
    });
  }

  async archive(idOrName: string): Promise<SandboxRecord> {
    return this.transition(idOrName, async (record) => {
      if (record.state === 'archived') return record;
      if (record.state !== 'stopped') {
        throw conflict(`Sandbox ${record.id} is ${record.state}: only a stopped sandbox can be archived. Stop it first.`);
      }
      await this.setDesired(record, 'archived');
      await this.setState(record, 'archiving');
      // Local archives keep the files where they are; archiving only changes what the sandbox may do.
      this.inBackground(record, () => this.setState(record, 'archived'));
      return record;
    });
  }

  async delete(idOrName: string): Promise<SandboxRecord> {
    return this.transition(idOrName, async (record) => {
      if (record.state === 'destroying' || record.state === 'destroyed') return record;
      await this.setDesired(record, 'destroyed');
      await this.setState(record, 'destroying');
      this.inBackground(record, () => this.destroy(record));
      return record;
    });
  }

  private async destroy(record: SandboxRecord): Promise<void> {
    await this.stopProcesses(record.id, true);
    this.processes.delete(record.id);
    this.dirtyActivity.delete(record.id);
    await this.store.remove(record.id);
    await this.setState(record, 'destroyed');
  }

  async update(idOrName: string, change: (record: SandboxRecord) => void): Promise<SandboxRecord> {
    return this.transition(idOrName, async (record) => {
      if (record.state === 'destroying' || record.desiredState === 'destroyed') {
        throw conflict(`Sandbox ${record.id} is being deleted: its settings can no longer change.`);
      }
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
      if (record.state === 'destroying' || record.state === 'destroyed' || record.desiredState === 'destroyed') {
        await this.store.remove(record.id);
        continue;
      }
      if (record.state === 'archiving') record.state = 'archived';
      else if (!RESTING_STATES.has(record.state)) record.state = 'stopped';
      if (record.state === 'stopped' || record.state === 'archived') record.desiredState = record.state;
      await this.store.save(record);
    }
  }

  /** One pass of Daytona's auto-stop, auto-archive and auto-delete jobs (docs/daytona-api.md §11). */
  async tick(): Promise<void> {
    // The interval fires whether or not the previous pass finished; one pass at a time.
    if (this.ticking || this.closing) return;
    this.ticking = true;
    try {
      const now = this.now();
      for (const record of this.store.all()) {
        if (this.locks.has(record.id) || this.closing) continue;
        const idleMs = now - Date.parse(record.lastActivityAt);
        const elapsed = (minutes: number) => idleMs >= minutes * this.minuteMs;
        try {
          if (
            record.state === 'started' &&
            record.desiredState === 'started' &&
            record.autoStopInterval > 0 &&
            elapsed(record.autoStopInterval)
          ) {
            // Daytona's ephemeral sandboxes (autoDeleteInterval 0) are deleted instead of stopped.
            if (record.autoDeleteInterval === 0) await this.delete(record.id);
            else await this.stop(record.id);
          } else if (record.state === 'stopped' && record.desiredState === 'stopped') {
            if (record.autoDeleteInterval >= 0 && elapsed(record.autoDeleteInterval)) await this.delete(record.id);
            else if (elapsed(record.autoArchiveInterval || MAX_AUTO_ARCHIVE_MINUTES)) await this.archive(record.id);
          }
        } catch (error) {
          if (!(error instanceof ApiError)) this.log(`lifecycle check failed for ${record.id}: ${String(error)}`);
        }
      }
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
      await this.stopProcesses(record.id, true);
      if (!RESTING_STATES.has(record.state)) {
        await this.setDesired(record, 'stopped');
        await this.setState(record, 'stopped');
      }
    }
    await this.flushActivity();
    await this.store.flushed();
  }
}

function shuttingDown(): ApiError {
  return new ApiError(503, 'The local provider is shutting down: retry once it is running again.');
}

export function hostnameOf(record: SandboxRecord): string {
  const cleaned = record.name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return cleaned || record.id.slice(0, 12);
}

export function assertPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw badRequest('Invalid port: use an integer from 1 to 65535.');
  return port;
}
