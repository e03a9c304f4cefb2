import { describe, expect, it } from 'vitest';
import { backoffDelay, withJitter } from '../../main/core/backoff.ts';
import { DEFAULT_BACKOFF, planRestart, restartDelay } from '../../main/core/supervisor/backoff.ts';

describe('restart backoff policy', () => {
  it('restarts well within a second after the first failure, then doubles up to the 30 s cap', () => {
    const delays = Array.from({ length: 12 }, (_, i) => restartDelay(DEFAULT_BACKOFF, i + 1));
    expect(delays[0]).toBeLessThan(1000);
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000, 30_000, 30_000]);
    expect(restartDelay(DEFAULT_BACKOFF, 10_000)).toBe(30_000); // no overflow on a very long loop
  });

  it('a crash after a stable run counts as the first failure again: restarting, short wait', () => {
    const plan = planRestart(DEFAULT_BACKOFF, { previousFailures: 7, becameReady: true, readyForMs: DEFAULT_BACKOFF.stableMs });
    expect(plan).toEqual({ failures: 1, delayMs: 200, state: 'restarting' });
  });

  it('a crash shortly after getting ready keeps counting: restarting, then failed once it is a loop', () => {
    const facts = { becameReady: true, readyForMs: 500 };
    expect(planRestart(DEFAULT_BACKOFF, { ...facts, previousFailures: 0 })).toEqual({ failures: 1, delayMs: 200, state: 'restarting' });
    expect(planRestart(DEFAULT_BACKOFF, { ...facts, previousFailures: 1 })).toEqual({ failures: 2, delayMs: 400, state: 'restarting' });
    expect(planRestart(DEFAULT_BACKOFF, { ...facts, previousFailures: 2 })).toEqual({ failures: 3, delayMs: 800, state: 'failed' });
  });

  it('a child that never got ready has failed to start, from the first attempt', () => {
    expect(planRestart(DEFAULT_BACKOFF, { previousFailures: 0, becameReady: false, readyForMs: 0 })).toEqual({
      failures: 1,
      delayMs: 200,
      state: 'failed',
    });
    expect(planRestart(DEFAULT_BACKOFF, { previousFailures: 20, becameReady: false, readyForMs: 0 })).toEqual({
      failures: 21,
      delayMs: 30_000,
      state: 'failed',
    });
  });
});

describe('the one backoff (main/core/backoff.ts), shared by the supervisor, the watcher and the settings lock', () => {
  it('doubles from the first wait up to the cap, and waits nothing before a failure', () => {
    const policy = { initialMs: 2_000, maxMs: 300_000 };
    expect([0, 1, 2, 3, 8, 9, 1_000].map((failures) => backoffDelay(policy, failures))).toEqual([
      0, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000,
    ]);
  });

  it('jitter spreads a wait by ±20 % and no more', () => {
    expect(withJitter(1_000, () => 0)).toBe(800);
    expect(withJitter(1_000, () => 0.5)).toBe(1_000);
    expect(withJitter(1_000, () => 0.999_999)).toBeCloseTo(1_200, 0);
  });
});
