import { backoffDelay } from '../backoff.ts';

/**
 * When to restart a child that failed, as pure functions of what happened (no timers here, so every rule
 * is unit-tested without waiting). A crash of a child that had been healthy for a while restarts at once;
 * a crash loop waits longer each time, up to a cap.
 */
export interface BackoffPolicy {
  /** The wait before the first restart in a row (well under 1 s: a one-off crash is barely noticed). */
  initialMs: number;
  /** Each further failure in a row multiplies the wait by this. */
  factor: number;
  /** The longest wait, however long the crash loop. */
  maxMs: number;
  /** A child that stayed up this long had recovered: its failure counts as the first in a row again. */
  stableMs: number;
  /** From this many failures in a row the child counts as failed (not merely restarting). */
  crashLoopAfter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 200, factor: 2, maxMs: 30_000, stableMs: 10_000, crashLoopAfter: 3 };

/** The wait before the restart that follows failure number `failures` in a row (1 is the first). */
export function restartDelay(policy: BackoffPolicy, failures: number): number {
  return backoffDelay(policy, failures);
}

export interface FailureFacts {
  /** Failures in a row before this one. */
  previousFailures: number;
  /** Whether this child ever got ready (an exit during start-up is a failure to start, not a crash). */
  becameReady: boolean;
  /** How long it was ready before it failed (0 when it never was). */
  readyForMs: number;
}

export interface RestartPlan {
  failures: number;
  delayMs: number;
  /** `restarting`: a crash of a child that was serving; `failed`: it cannot start, or keeps crashing. */
  state: 'restarting' | 'failed';
}

export function planRestart(policy: BackoffPolicy, facts: FailureFacts): RestartPlan {
  const recovered = facts.becameReady && facts.readyForMs >= policy.stableMs;
  const failures = recovered ? 1 : facts.previousFailures + 1;
  const failed = !facts.becameReady || failures >= policy.crashLoopAfter;
  return { failures, delayMs: restartDelay(policy, failures), state: failed ? 'failed' : 'restarting' };
}
