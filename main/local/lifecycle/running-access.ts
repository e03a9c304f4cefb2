import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { ApiError, badRequest, conflict } from '../errors.ts';
import { RUNNING_STATES, type SandboxRecord } from '../sandbox-record.ts';
import type { CommandSpec, PtySpec, RunningSandbox, SandboxPty, SandboxRoot } from '../sandbox-runner/index.ts';
import { hostnameOf } from './new-sandbox.ts';
import type { SandboxRuntimes } from './sandbox-runtimes.ts';
import type { SerialQueues } from './serial-queues.ts';

export interface RunningAccessDeps {
  /** The sandbox by id or name, or a 404. */
  get(idOrName: string): SandboxRecord;
  /** The sandbox by id while it exists. */
  lookup(id: string): SandboxRecord | undefined;
  touch(record: SandboxRecord): void;
  fail(record: SandboxRecord, error: unknown): Promise<void>;
  closing(): boolean;
  log(line: string): void;
  runtimes: SandboxRuntimes;
  queues: SerialQueues;
}

/** The way into a started sandbox for the toolbox and the preview proxy: commands and connections. */
export class RunningAccess {
  private readonly deps: RunningAccessDeps;

  constructor(deps: RunningAccessDeps) {
    this.deps = deps;
  }

  /** For toolbox calls: the sandbox must exist and be started. Counts as activity. */
  requireStarted(id: string): SandboxRecord {
    const record = this.deps.get(id);
    if (!RUNNING_STATES.has(record.state) || this.deps.closing()) throw this.notStarted(record);
    this.deps.touch(record);
    return record;
  }

  /**
   * Starts a command in a started sandbox; stop/delete end it with everything else the sandbox runs.
   * When the sandbox's runtime died on its own (OOM killer, killed by hand) it is started again first:
   * what ran in the background is gone, as after a container restart, but the sandbox keeps working.
   */
  async spawn(id: string, argv: string[], command: CommandSpec): Promise<ChildProcess> {
    return this.deps.runtimes.spawn(id, await this.alive(id), argv, command);
  }

  /** Starts a command on a terminal of its own in a started sandbox (as spawn does). */
  async spawnPty(id: string, argv: string[], spec: PtySpec): Promise<SandboxPty> {
    return this.deps.runtimes.spawnPty(id, await this.alive(id), argv, spec);
  }

  /**
   * The started sandbox's filesystem as its processes see it, for the file routes (see RunningSandbox.openRoot);
   * undefined where there is none (plain processes). The caller closes it.
   */
  async openRoot(id: string): Promise<SandboxRoot | undefined> {
    return (await this.alive(id)).openRoot?.();
  }

  /** The started sandbox's live runtime (started again if it died). */
  private async alive(id: string): Promise<RunningSandbox> {
    const { runtimes } = this.deps;
    let sandbox = runtimes.get(id);
    if (!sandbox?.alive) sandbox = await this.revive(id);
    const record = this.deps.lookup(id);
    if (this.deps.closing() || !record || !RUNNING_STATES.has(record.state) || runtimes.get(id) !== sandbox || !sandbox.alive) {
      // A stop, delete or shutdown began after the request passed requireStarted.
      throw this.notStarted(record ?? this.deps.get(id));
    }
    return sandbox;
  }

  /**
   * A TCP connection to 127.0.0.1:<port> as a started sandbox sees it (the preview proxy's way in). Rejects
   * with a 409 when the sandbox is not started, and with code ECONNREFUSED when nothing listens there.
   */
  async connect(id: string, port: number): Promise<Socket> {
    const record = this.deps.get(id);
    const sandbox = this.deps.runtimes.get(record.id);
    if (this.deps.closing() || !RUNNING_STATES.has(record.state) || !sandbox?.alive) throw this.notStarted(record, false);
    this.deps.touch(record);
    return sandbox.connect(port);
  }

  /**
   * Why a call cannot reach the sandbox. A toolbox call to a stopped or archived sandbox is 400, as Daytona's runner
   * answers when the sandbox's container has no address ("no IP address found. Is the Sandbox started?",
   * daytonaio/daytona v0.190.0 apps/runner/pkg/api/controllers/proxy.go; issue #4142), which the SDK raises as
   * DaytonaValidationError; a sandbox on its way somewhere (or the preview proxy's connection) is 409.
   */
  private notStarted(record: SandboxRecord, toolbox = true): ApiError {
    const message = `Sandbox ${record.id} is ${this.deps.closing() ? 'shutting down with the provider' : record.state}: start it first (sandbox.start(), or the start_sandbox tool), then retry.`;
    if (toolbox && !this.deps.closing() && (record.state === 'stopped' || record.state === 'archived')) return badRequest(message);
    return conflict(message);
  }

  /** Starts a started sandbox's runtime again after it died; in the sandbox's queue, so never during a stop. */
  private revive(id: string): Promise<RunningSandbox> {
    const { runtimes } = this.deps;
    return this.deps.queues.run(id, async () => {
      const record = this.deps.get(id);
      if (this.deps.closing() || !RUNNING_STATES.has(record.state)) throw this.notStarted(record);
      const current = runtimes.get(id);
      if (current?.alive) return current;
      if (current) runtimes.reportDeath(id, current);
      this.deps.log(`sandbox ${id}: starting its processes again for the next command`);
      try {
        await runtimes.stop(id, true);
        return await runtimes.boot(record, hostnameOf(record));
      } catch (error) {
        await this.deps.fail(record, error);
        throw new ApiError(
          500,
          `Sandbox ${id} could not be started again: ${record.errorReason ?? 'unknown error'} Recover it (sandbox.recover()) to retry, or delete it.`,
        );
      }
    });
  }
}
