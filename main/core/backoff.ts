/**
 * The one capped exponential backoff: the supervisor's restarts, the watcher's listings and event stream, and
 * the settings lock's waits all use it. Hand-written rather than a kept library (exponential-backoff, p-retry):
 * those own the retry loop, while each caller here schedules its own timer inside a state machine that can be
 * stopped, woken or cut short, so only the formula is shared.
 */
export interface Backoff {
  /** The wait after the first failure in a row. */
  initialMs: number;
  /** Each further failure multiplies the wait by this (default 2). */
  factor?: number;
  /** The longest wait, however many failures. */
  maxMs: number;
}

/** The wait after failure number `failures` in a row (1 is the first; 0 or less waits nothing). */
export function backoffDelay(policy: Backoff, failures: number): number {
  if (failures <= 0) return 0;
  // The exponent is capped so a very long failure streak never overflows to Infinity or NaN.
  return Math.min(policy.maxMs, policy.initialMs * (policy.factor ?? 2) ** Math.min(failures - 1, 64));
}

/**
 * `ms` spread by ±`spread` (default 20 %), so many clients that failed together (a network drop) do not come
 * back in lockstep. `random` returns [0, 1) like Math.random.
 */
export function withJitter(ms: number, random: () => number, spread = 0.2): number {
  return ms * (1 - spread + 2 * spread * random());
}
