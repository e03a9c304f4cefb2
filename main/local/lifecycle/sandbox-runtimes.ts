import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir } from 'node:fs/promises';
import { networkPolicyOf } from '../network-policy.ts';
import type { SandboxRecord } from '../sandbox-record.ts';
import type { BindMount, CommandSpec, PtySpec, RunningSandbox, SandboxDirs, SandboxPty, SandboxRunner } from '../sandbox-runner/index.ts';

const STOP_GRACE_MS = 2000;
const TERMINAL_EXIT_WAIT_MS = 5000;

/** A sandbox's volumes and secrets, as the service and the runtimes need them. */
export interface ResourceHooks {
  /** Where the sandbox's volumes appear inside it (none for a sandbox that is gone). */
  mountsOf(record: SandboxRecord | undefined): BindMount[];
  /**
   * Before each start: makes what the sandbox's volumes need and returns the variables every command gets (its
   * secrets' values, read from the keychain each time and held only in memory).
   */
  beforeBoot(record: SandboxRecord): Promise<Record<string, string>>;
}

export interface SandboxRuntimesOptions {
  runner: SandboxRunner;
  dirsOf: (id: string) => SandboxDirs;
  log: (line: string) => void;
  /** True once the provider is shutting down (a death then is expected, not reported). */
  closing: () => boolean;
  resources?: ResourceHooks | undefined;
}

/**
 * The started sandboxes' runtimes (under bubblewrap, each one's long-lived namespaces) and the commands
 * running in them. Knows nothing of states: the service decides when to boot and stop.
 */
export class SandboxRuntimes {
  private readonly options: SandboxRuntimesOptions;
  private readonly running = new Map<string, RunningSandbox>();
  private readonly processes = new Map<string, Set<ChildProcess>>();
  private readonly terminals = new Map<string, Set<SandboxPty>>();
  private readonly stopRequested = new WeakSet<RunningSandbox>();
  private readonly deathReported = new WeakSet<RunningSandbox>();
  private readonly frozen = new Map<string, RunningSandbox>();

  constructor(options: SandboxRuntimesOptions) {
    this.options = options;
  }

  get(id: string): RunningSandbox | undefined {
    return this.running.get(id);
  }

  /** Where a sandbox's volumes appear inside it. */
  mountsOf(record: SandboxRecord | undefined): BindMount[] {
    return this.options.resources?.mountsOf(record) ?? [];
  }

  /** Starts the sandbox's runtime (its directories, and under bubblewrap its namespaces). */
  async boot(record: SandboxRecord, hostname: string): Promise<RunningSandbox> {
    const env = (await this.options.resources?.beforeBoot(record)) ?? {};
    const dirs = this.options.dirsOf(record.id);
    await mkdir(dirs.home, { recursive: true, mode: 0o755 });
    await mkdir(dirs.tmp, { recursive: true, mode: 0o1777 });
    await chmod(dirs.tmp, 0o1777); // mkdir's mode passes through the umask; /tmp must be world-writable and sticky
    await this.stop(record.id, true); // a leftover from a failed run, if any
    let sandbox: RunningSandbox;
    try {
      sandbox = await this.options.runner.start({
        dirs,
        hostname,
        network: networkPolicyOf(record),
        env,
        log: (line) => this.options.log(`sandbox ${record.id}: ${line}`),
        limits: limitsOf(record),
      });
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

  /** Starts a command in a running sandbox and keeps it in view until it exits. */
  spawn(id: string, sandbox: RunningSandbox, argv: string[], command: CommandSpec): ChildProcess {
    const child = sandbox.spawn(argv, command);
    let set = this.processes.get(id);
    if (!set) this.processes.set(id, (set = new Set()));
    set.add(child);
    const forget = () => set.delete(child);
    child.once('exit', forget);
    child.once('error', forget);
    return child;
  }

  /** Starts a command on a terminal of its own in a running sandbox and keeps it in view until it exits. */
  spawnPty(id: string, sandbox: RunningSandbox, argv: string[], spec: PtySpec): SandboxPty {
    const pty = sandbox.spawnPty(argv, spec);
    let set = this.terminals.get(id);
    if (!set) this.terminals.set(id, (set = new Set()));
    set.add(pty);
    pty.onExit(() => set.delete(pty));
    return pty;
  }

  /** Logs once that a sandbox's runtime ended without a stop asking for it. */
  reportDeath(id: string, sandbox: RunningSandbox): void {
    if (this.options.closing() || this.stopRequested.has(sandbox) || this.deathReported.has(sandbox)) return;
    this.deathReported.add(sandbox);
    this.options.log(
      `sandbox ${id}: its processes ended unexpectedly (killed from outside the provider, or by the OOM killer?); the next command starts them again`,
    );
  }

  /**
   * Freezes every process of a started sandbox (pause), memory kept; says how, for the log. Through the sandbox's
   * cgroup freezer where it has one: the kernel freezes the whole cgroup at once, a process forked meanwhile
   * included, and the processes see no signal nor a stopped state (a shell's job control, a parent's waitpid
   * WUNTRACED, a debugger would). Else SIGSTOP to each process, in passes, which a fork between two passes can
   * escape for a moment and every process can observe.
   */
  async freeze(id: string): Promise<string> {
    const sandbox = this.running.get(id);
    // Its runtime died on its own: nothing to freeze; the start that resumes it starts a new one.
    if (!sandbox?.alive) return 'nothing was running to freeze';
    this.frozen.set(id, sandbox);
    if (sandbox.cgroup?.canFreeze) {
      await sandbox.cgroup.freeze();
      return `frozen by the cgroup freezer (${sandbox.cgroup.pids().length} processes)`;
    }
    const count = sandbox.signalAll('SIGSTOP');
    return `frozen with SIGSTOP (${count} processes)`;
  }

  /** Lets a frozen sandbox run again; false when there is nothing to resume (its runtime ended meanwhile). */
  async thaw(id: string): Promise<boolean> {
    const sandbox = this.running.get(id);
    const wasFrozen = this.frozen.get(id) === sandbox;
    this.frozen.delete(id);
    if (!sandbox?.alive) return false;
    if (wasFrozen && sandbox.cgroup?.canFreeze) await sandbox.cgroup.thaw();
    else if (wasFrozen) sandbox.signalAll('SIGCONT');
    return true;
  }

  /** Applies the sandbox's cpu and memory to its running processes (resize); false where they are not enforced. */
  applyLimits(record: SandboxRecord): boolean {
    const cgroup = this.running.get(record.id)?.cgroup;
    cgroup?.setLimits(limitsOf(record));
    return cgroup !== undefined;
  }

  count(id: string): number {
    return (this.processes.get(id)?.size ?? 0) + (this.terminals.get(id)?.size ?? 0);
  }

  /** Ends everything the sandbox runs (SIGTERM with a grace period unless forced), and waits until it has. */
  async stop(id: string, force: boolean): Promise<void> {
    // A frozen process would hold SIGTERM until resumed: thaw first, so the grace period means something.
    await this.thaw(id);
    const sandbox = this.running.get(id);
    this.running.delete(id);
    if (sandbox) this.stopRequested.add(sandbox);
    const children = [...(this.processes.get(id) ?? [])];
    const terminals = [...(this.terminals.get(id) ?? [])];
    const terminalsEnded = terminals.map((pty) => new Promise<void>((resolve) => pty.onExit(() => resolve())));
    // Listened for before the stop: a command still queued for the sandbox's agent fails ('error', never 'exit') while
    // the sandbox stops, and an end missed then would hold this stop (and the provider's shutdown) forever.
    const childrenEnded = children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.once('error', () => resolve());
        }),
    );
    await sandbox?.stop(force ? 0 : STOP_GRACE_MS);
    // The commands' own processes on the host (nsenter, or plain leaders) end with the sandbox; any left are killed.
    for (const child of children) this.options.runner.kill(child, 'SIGKILL');
    for (const pty of terminals) pty.kill();
    // Bounded: a terminal whose exit is never reported must not hold the stop up.
    await Promise.race([Promise.all(terminalsEnded), new Promise((resolve) => setTimeout(resolve, TERMINAL_EXIT_WAIT_MS).unref())]);
    await Promise.all(childrenEnded);
  }

  /** Drops what is kept for a deleted sandbox. */
  forget(id: string): void {
    this.processes.delete(id);
    this.terminals.delete(id);
  }
}

const limitsOf = (record: SandboxRecord) => ({ cpu: record.cpu, memoryGiB: record.memory });
