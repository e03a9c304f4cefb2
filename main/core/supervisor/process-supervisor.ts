import { DEFAULT_BACKOFF, planRestart, type BackoffPolicy } from './backoff.ts';
import { sleep, systemClock, type Clock } from './clock.ts';
import { createLogBuffer, type LogBuffer } from './log-buffer.ts';
import type { ChildExit, ChildHandle, SpawnPort, SpawnSpec } from './spawn-child.ts';

/**
 * - `stopped`: not supervising (before start, after stop).
 * - `starting`: a child was spawned and is not ready yet.
 * - `running`: ready, and answering health checks.
 * - `restarting`: it crashed or stopped answering; a new one starts at `retryAt`.
 * - `failed`: it cannot start, or keeps crashing; the supervisor still retries at `retryAt`, with backoff.
 */
export type SupervisorState = 'stopped' | 'starting' | 'running' | 'restarting' | 'failed';

export interface SupervisorStatus {
  /** What is supervised, as a sentence subject: "The MCP server". */
  label: string;
  state: SupervisorState;
  /** Why it is restarting or failed: the exit code or signal and the last lines it wrote (secrets removed). */
  reason?: string;
  /** When the next start is due (restarting, failed), on the supervisor's clock (ms since the epoch). */
  retryAt?: number;
  /** The current child's pid (starting, running). */
  pid?: number;
  /** When the current state began. */
  since: number;
  /** Children spawned so far. */
  starts: number;
  /** Failures in a row (back to 0 once a child has been ready for the backoff's stable time). */
  failures: number;
}

/** What one start runs, and the secrets in it that must never reach the log. */
export interface PreparedChild {
  spec: SpawnSpec;
  secrets?: string[];
}

export interface ProcessSupervisorOptions<R> {
  /** Sentence subject for reasons and log lines: "The MCP server". */
  label: string;
  /** Log source name: "mcp". */
  source: string;
  spawn: SpawnPort;
  clock?: Clock;
  backoff?: BackoffPolicy;
  log?: LogBuffer;
  /** What to run, asked before every start (a restart picks up a new port or environment). */
  prepare(): Promise<PreparedChild> | PreparedChild;
  /** Resolves once the child serves, with what health checks need; rejects when it cannot get ready. */
  ready(child: ChildHandle, signal: AbortSignal): Promise<R>;
  /** One health check: rejects when the child is not healthy; `signal` aborts at the health timeout. */
  health?(ready: R, signal: AbortSignal): Promise<void>;
  /** Called each time a child becomes ready. */
  onReady?(ready: R, child: ChildHandle): void;
  /** Called after a ready child has gone (to close clients opened on it). */
  release?(ready: R): Promise<void> | void;
  /** Called after every child has exited (to clean up what it may have left, such as a runtime file). */
  onExit?(child: ChildHandle, exit: ChildExit): Promise<void> | void;
  onChange?(status: SupervisorStatus): void;
  /** Default 30 s (a cold start on a busy machine). */
  readyTimeoutMs?: number;
  /** Default 5 s. */
  healthIntervalMs?: number;
  /** Default 5 s. */
  healthTimeoutMs?: number;
  /** Failed checks in a row before a restart (default 2: one slow answer is not a dead server). */
  healthFailuresToRestart?: number;
  /** How long SIGTERM has before SIGKILL (default 5 s). */
  stopGraceMs?: number;
}

export interface ProcessSupervisor<R> {
  /** Starts supervising (a no-op when already started). */
  start(): void;
  /** Stops the child (SIGTERM, then SIGKILL after the grace period) and supervising; resolves once it is gone. */
  stop(): Promise<void>;
  /** Replaces the child now (or cuts a backoff wait short), and forgets earlier failures. */
  restart(reason: string): void;
  status(): SupervisorStatus;
  /** What `ready` gave for the current child, while it is running. */
  current(): R | undefined;
  /** True between start() and the end of stop(). */
  active(): boolean;
}

type Outcome =
  | { kind: 'exit'; exit: ChildExit }
  | { kind: 'not-ready'; error: unknown }
  | { kind: 'ready-timeout' }
  | { kind: 'unhealthy'; misses: number; error: unknown }
  | { kind: 'interrupted' }
  | { kind: 'prepare-failed'; error: unknown };

const STDERR_TAIL_LINES = 8;
// After SIGKILL a process normally disappears at once; this only bounds a wait for one stuck in the kernel.
const KILL_WAIT_MS = 5_000;
// After the exit, how long to wait for its last output lines (a grandchild may still hold the pipe).
const DRAIN_WAIT_MS = 1_000;

/**
 * Keeps one child process alive: start, wait until ready, health-check, restart on exit or failed checks
 * (soon after a one-off crash, with capped exponential backoff in a crash loop), stop without orphans.
 * One loop owns the child from spawn to reaping, so there is never more than one (fiddle's de-duplicated
 * runs), and every path out of a start reaps it in `finally`.
 */
export function createProcessSupervisor<R>(options: ProcessSupervisorOptions<R>): ProcessSupervisor<R> {
  const clock = options.clock ?? systemClock;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const log = options.log ?? createLogBuffer();
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const healthIntervalMs = options.healthIntervalMs ?? 5_000;
  const healthTimeoutMs = options.healthTimeoutMs ?? 5_000;
  const healthFailuresToRestart = options.healthFailuresToRestart ?? 2;
  const stopGraceMs = options.stopGraceMs ?? 5_000;
  const note = (line: string) => log.append(options.source, `supervisor: ${line}`);

  let status: SupervisorStatus = { label: options.label, state: 'stopped', since: clock.now(), starts: 0, failures: 0 };
  let loop: Promise<void> | undefined;
  let stopRequested = false;
  let restartReason: string | undefined;
  let current: R | undefined;
  // Aborted to interrupt whatever the loop is waiting for (a start, a running child, a backoff wait).
  let interrupt = new AbortController();

  function setStatus(change: Partial<SupervisorStatus> & Pick<SupervisorStatus, 'state'>, now = clock.now()): void {
    const { label, starts, failures } = status;
    status = { label, starts, failures, since: now, ...change };
    options.onChange?.(status);
  }

  async function run(): Promise<void> {
    try {
      while (!stopRequested) {
        const attempt = await runChild();
        if (stopRequested) break;
        if (restartReason !== undefined) {
          const reason = restartReason;
          restartReason = undefined;
          interrupt = new AbortController();
          status.failures = 0;
          note(`restarting: ${reason}`);
          const now = clock.now();
          setStatus({ state: 'restarting', reason, retryAt: now }, now);
          continue;
        }
        const plan = planRestart(backoff, {
          previousFailures: status.failures,
          becameReady: attempt.readyForMs !== undefined,
          readyForMs: attempt.readyForMs ?? 0,
        });
        status.failures = plan.failures;
        const now = clock.now();
        note(`${attempt.reason}; next start in ${formatMs(plan.delayMs)}`);
        setStatus({ state: plan.state, reason: attempt.reason, retryAt: now + plan.delayMs }, now);
        await sleep(clock, plan.delayMs, interrupt.signal);
        if (restartReason !== undefined && !stopRequested) {
          // restart() during the wait: start now, with a clean slate.
          note(`restarting: ${restartReason}`);
          restartReason = undefined;
          status.failures = 0;
          interrupt = new AbortController();
        }
      }
    } finally {
      setStatus({ state: 'stopped' });
    }
  }

  /** One child from spawn to reaping. `readyForMs` is undefined when it never got ready. */
  async function runChild(): Promise<{ reason: string; readyForMs: number | undefined }> {
    let prepared: PreparedChild;
    try {
      prepared = await options.prepare();
    } catch (error) {
      return { reason: describe({ kind: 'prepare-failed', error }, []), readyForMs: undefined };
    }
    if (interrupt.signal.aborted) return { reason: 'interrupted before it started', readyForMs: undefined };
    for (const secret of prepared.secrets ?? []) log.addSecret(secret);

    const child = options.spawn(prepared.spec);
    status.starts += 1;
    const stderrTail: string[] = [];
    const stopListening = child.onLine((stream, line) => {
      if (stream !== 'stderr') return; // stdout is the child's answer channel (ready lines), not its log
      const clean = log.redact(line);
      log.append(options.source, clean);
      stderrTail.push(clean);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
    });
    let exit: ChildExit | undefined;
    void child.exited.then((value) => {
      exit = value;
    });
    setStatus({ state: 'starting', ...(child.pid !== undefined ? { pid: child.pid } : {}) });

    let readyValue: R | undefined;
    let readyAt: number | undefined;
    let outcome: Outcome;
    try {
      const started = await waitForReady(child);
      if ('value' in started) {
        readyValue = started.value;
        readyAt = clock.now();
        current = readyValue;
        setStatus({ state: 'running', ...(child.pid !== undefined ? { pid: child.pid } : {}) });
        note(`ready (pid ${child.pid})`);
        options.onReady?.(readyValue, child);
        outcome = await watchRunning(child, readyValue);
      } else {
        outcome = started.outcome;
      }
    } finally {
      current = undefined;
      if (exit === undefined) await terminate(child);
      child.kill('SIGKILL'); // sweep anything the child left in its process group
      await Promise.race([child.closed, sleep(clock, DRAIN_WAIT_MS)]);
      stopListening();
      const released = readyValue;
      if (released !== undefined) await safely(() => options.release?.(released));
      await safely(() => options.onExit?.(child, exit ?? { code: null, signal: null }));
    }
    return {
      reason: describe(outcome, stderrTail, readyAt !== undefined),
      readyForMs: readyAt === undefined ? undefined : clock.now() - readyAt,
    };
  }

  async function waitForReady(child: ChildHandle): Promise<{ value: R } | { outcome: Outcome }> {
    const abort = new AbortController();
    const timer = clock.setTimeout(() => abort.abort(), readyTimeoutMs);
    const onInterrupt = () => abort.abort();
    interrupt.signal.addEventListener('abort', onInterrupt, { once: true });
    try {
      return await Promise.race([
        options.ready(child, abort.signal).then(
          (value) => ({ value }),
          (error: unknown) => ({ outcome: { kind: 'not-ready', error } as Outcome }),
        ),
        child.exited.then((exit) => ({ outcome: { kind: 'exit', exit } as Outcome })),
        new Promise<{ outcome: Outcome }>((resolve) => {
          abort.signal.addEventListener(
            'abort',
            () => resolve({ outcome: interrupt.signal.aborted ? { kind: 'interrupted' } : { kind: 'ready-timeout' } }),
            { once: true },
          );
        }),
      ]);
    } finally {
      clock.clearTimeout(timer);
      interrupt.signal.removeEventListener('abort', onInterrupt);
      abort.abort();
    }
  }

  /** Resolves when the running child exits, fails its health checks, or the loop is interrupted. */
  function watchRunning(child: ChildHandle, ready: R): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      let timer: unknown;
      let check: AbortController | undefined;
      let misses = 0;
      const finish = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        check?.abort();
        interrupt.signal.removeEventListener('abort', onInterrupt);
        resolve(outcome);
      };
      const onInterrupt = () => finish({ kind: 'interrupted' });
      interrupt.signal.addEventListener('abort', onInterrupt, { once: true });
      if (interrupt.signal.aborted) onInterrupt();
      void child.exited.then((exit) => finish({ kind: 'exit', exit }));

      const health = options.health;
      if (!health) return;
      const schedule = () => {
        timer = clock.setTimeout(() => void probe(), healthIntervalMs);
      };
      const probe = async () => {
        const abort = new AbortController();
        check = abort;
        const deadline = clock.setTimeout(() => abort.abort(), healthTimeoutMs);
        let failure: unknown;
        try {
          await Promise.race([
            health(ready, abort.signal),
            new Promise<never>((_, reject) => {
              abort.signal.addEventListener('abort', () => reject(new Error(`no answer within ${formatMs(healthTimeoutMs)}`)), {
                once: true,
              });
            }),
          ]);
          misses = 0;
        } catch (error) {
          failure = error;
          misses += 1;
        } finally {
          clock.clearTimeout(deadline);
          abort.abort();
        }
        if (settled) return;
        if (failure !== undefined) note(`health check ${misses}/${healthFailuresToRestart} failed: ${message(failure)}`);
        if (misses >= healthFailuresToRestart) finish({ kind: 'unhealthy', misses, error: failure });
        else schedule();
      };
      schedule();
    });
  }

  /** SIGTERM, SIGKILL after the grace period; resolves once the child has exited. */
  async function terminate(child: ChildHandle): Promise<void> {
    child.kill('SIGTERM');
    const gone = await Promise.race([child.exited.then(() => true), sleep(clock, stopGraceMs).then(() => false)]);
    if (gone) return;
    note(`pid ${child.pid} did not exit within ${formatMs(stopGraceMs)} of SIGTERM: sending SIGKILL`);
    child.kill('SIGKILL');
    const killed = await Promise.race([child.exited.then(() => true), sleep(clock, KILL_WAIT_MS).then(() => false)]);
    if (!killed) note(`pid ${child.pid} is still there ${formatMs(KILL_WAIT_MS)} after SIGKILL (stuck in the kernel?)`);
  }

  function describe(outcome: Outcome, stderrTail: string[], wasReady = false): string {
    const subject = options.label;
    const tail = stderrTail.length > 0 ? ` Its last output: ${stderrTail.join(' ⏎ ')}` : '';
    switch (outcome.kind) {
      case 'exit': {
        const { code, signal, error } = outcome.exit;
        if (error) return `${subject} could not be started: ${error}.`;
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        return `${subject} ${how}${wasReady ? '' : ' while starting'}.${tail}`;
      }
      case 'not-ready':
        return `${subject} did not get ready: ${message(outcome.error)}.${tail}`;
      case 'ready-timeout':
        return `${subject} did not get ready within ${formatMs(readyTimeoutMs)}.${tail}`;
      case 'unhealthy':
        return `${subject} stopped answering health checks (${outcome.misses} failed in a row; last: ${message(outcome.error)}).${tail}`;
      case 'interrupted':
        return `${subject} was stopped.`;
      case 'prepare-failed':
        return `${subject} could not be prepared: ${message(outcome.error)}.`;
    }
  }

  return {
    start() {
      if (loop) return;
      stopRequested = false;
      restartReason = undefined;
      interrupt = new AbortController();
      status.failures = 0;
      loop = run().finally(() => {
        loop = undefined;
      });
    },
    async stop() {
      if (!loop) return;
      stopRequested = true;
      interrupt.abort();
      await loop;
    },
    restart(reason) {
      if (!loop) {
        this.start();
        return;
      }
      if (stopRequested) return;
      restartReason = reason;
      interrupt.abort();
    },
    status: () => status,
    current: () => current,
    active: () => loop !== undefined,
  };
}

async function safely(task: () => Promise<void> | void): Promise<void> {
  try {
    await task();
  } catch {
    // Cleanup must not stop the supervisor; the next start overwrites whatever was left.
  }
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}
