import { RUNNING_STATES } from '../watcher/watched-sandbox.ts';

/** Daytona Cloud's published prices in USD (https://www.daytona.io/pricing). GPUs have no published rate here: not estimated. */
export const DAYTONA_RATES = {
  vcpuPerHour: 0.0504,
  memoryGiBPerHour: 0.0162,
  diskGiBPerHour: 0.000108,
} as const;
export type ResourceRates = { vcpuPerHour: number; memoryGiBPerHour: number; diskGiBPerHour: number };

/**
 * Sandboxes that keep a disk but run nothing: they pay for disk only. Archived sandboxes are not here:
 * their files moved to object storage, which the published rates do not price, so they count as free.
 */
export const DISK_ONLY_STATES: ReadonlySet<string> = new Set(['stopped', 'paused', 'archiving', 'error', 'build_failed']);

export interface PricedSandbox {
  state: string;
  cpu: number;
  /** GiB. */
  memory: number;
  /** GiB. */
  disk: number;
  gpu?: number;
}

/** What one sandbox costs per hour in its current state. */
export function hourlyCostUsd(sandbox: PricedSandbox, rates: ResourceRates = DAYTONA_RATES): number {
  const disk = Math.max(0, sandbox.disk) * rates.diskGiBPerHour;
  if (RUNNING_STATES.has(sandbox.state))
    return Math.max(0, sandbox.cpu) * rates.vcpuPerHour + Math.max(0, sandbox.memory) * rates.memoryGiBPerHour + disk;
  if (DISK_ONLY_STATES.has(sandbox.state)) return disk;
  return 0;
}

export interface BurnRate {
  perHourUsd: number;
  /** The same rate held for 24 h. */
  perDayUsd: number;
  /** Sandboxes paying for compute (vCPU + memory + disk). */
  running: number;
  /** Sandboxes paying for disk only. */
  diskOnly: number;
  /** Running sandboxes with GPUs, whose GPU cost is not in the estimate. */
  gpuNotPriced: number;
}

/** The live burn-rate estimate of a set of sandboxes at the given rates. */
export function burnRate(sandboxes: Iterable<PricedSandbox>, rates: ResourceRates = DAYTONA_RATES): BurnRate {
  let perHourUsd = 0;
  let running = 0;
  let diskOnly = 0;
  let gpuNotPriced = 0;
  for (const sandbox of sandboxes) {
    perHourUsd += hourlyCostUsd(sandbox, rates);
    if (RUNNING_STATES.has(sandbox.state)) {
      running++;
      if ((sandbox.gpu ?? 0) > 0) gpuNotPriced++;
    } else if (DISK_ONLY_STATES.has(sandbox.state)) {
      diskOnly++;
    }
  }
  return { perHourUsd, perDayUsd: perHourUsd * 24, running, diskOnly, gpuNotPriced };
}

/** Hours the balance lasts at this rate; Infinity when nothing is burning. */
export function hoursLeft(balanceUsd: number, perHourUsd: number): number {
  if (balanceUsd <= 0) return 0;
  return perHourUsd > 0 ? balanceUsd / perHourUsd : Infinity;
}

/**
 * Integrates the burn rate over time into "$ today" (since local midnight, or since the meter started if
 * that was later). Call `update` whenever the rate changes; reading it between updates includes the time
 * since the last one.
 */
export interface SpendMeter {
  update(perHourUsd: number): void;
  todayUsd(): number;
  /** Epoch ms the "today" figure counts from. */
  since(): number;
}

const HOUR_MS = 3_600_000;

export function createSpendMeter(options: { now?: () => number } = {}): SpendMeter {
  const now = options.now ?? Date.now;
  let lastAt = now();
  let rate = 0;
  let dayStart = localMidnight(lastAt);
  let since = lastAt;
  let accumulated = 0;

  function advance(at: number): void {
    const midnight = localMidnight(at);
    if (midnight !== dayStart) {
      // A new day: only the part after midnight counts.
      dayStart = midnight;
      since = midnight;
      accumulated = 0;
      lastAt = Math.max(lastAt, midnight);
    }
    if (at > lastAt) accumulated += (rate * (at - lastAt)) / HOUR_MS;
    lastAt = Math.max(lastAt, at);
  }

  return {
    update(perHourUsd) {
      advance(now());
      rate = perHourUsd;
    },
    todayUsd() {
      advance(now());
      return accumulated;
    },
    since: () => since,
  };
}

function localMidnight(at: number): number {
  const date = new Date(at);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}
