import { describe, expect, it } from 'vitest';
import { formatUsd } from '../../main/core/billing/money.ts';
import { burnRate, createSpendMeter, hourlyCostUsd, hoursLeft, type PricedSandbox } from '../../main/core/billing/rates.ts';

const box = (state: string, cpu: number, memory: number, disk: number, gpu = 0): PricedSandbox => ({ state, cpu, memory, disk, gpu });

describe('hourlyCostUsd at the published rates (vCPU $0.0504/h, memory $0.0162/GiB·h, disk $0.000108/GiB·h)', () => {
  it.each([
    ['started 1 vCPU / 1 GiB / 3 GiB', box('started', 1, 1, 3), 0.0504 + 0.0162 + 3 * 0.000108],
    ['started 4 vCPU / 8 GiB / 10 GiB', box('started', 4, 8, 10), 4 * 0.0504 + 8 * 0.0162 + 10 * 0.000108],
    ['starting pays like started', box('starting', 2, 4, 10), 2 * 0.0504 + 4 * 0.0162 + 10 * 0.000108],
    ['stopping still runs', box('stopping', 1, 1, 3), 0.0504 + 0.0162 + 3 * 0.000108],
    ['stopped pays disk only', box('stopped', 4, 8, 10), 10 * 0.000108],
    ['paused pays disk only (memory is kept, but Daytona bills the disk)', box('paused', 4, 8, 10), 10 * 0.000108],
    ['pausing still runs', box('pausing', 1, 1, 3), 0.0504 + 0.0162 + 3 * 0.000108],
    ['resuming runs', box('resuming', 1, 1, 3), 0.0504 + 0.0162 + 3 * 0.000108],
    ['error keeps its disk', box('error', 4, 8, 20), 20 * 0.000108],
    ['archived is free (object storage is not priced)', box('archived', 4, 8, 10), 0],
    ['destroyed is free', box('destroyed', 4, 8, 10), 0],
    ['an unknown state is free', box('brand_new', 4, 8, 10), 0],
    ['GPUs add nothing (no published rate)', box('started', 1, 1, 3, 1), 0.0504 + 0.0162 + 3 * 0.000108],
  ])('%s', (_name, sandbox, expected) => {
    expect(hourlyCostUsd(sandbox)).toBeCloseTo(expected, 10);
  });
});

describe('burnRate', () => {
  it('sums running and disk-only sandboxes, per hour and per day', () => {
    const burn = burnRate([box('started', 2, 4, 10), box('started', 1, 1, 3, 1), box('stopped', 8, 16, 100), box('archived', 1, 1, 3)]);
    const perHour = 2 * 0.0504 + 4 * 0.0162 + 10 * 0.000108 + (0.0504 + 0.0162 + 3 * 0.000108) + 100 * 0.000108;
    expect(burn.perHourUsd).toBeCloseTo(perHour, 10);
    expect(burn.perDayUsd).toBeCloseTo(perHour * 24, 10);
    expect(burn).toMatchObject({ running: 2, diskOnly: 1, gpuNotPriced: 1 });
  });

  it('counts a paused sandbox as disk only', () => {
    expect(burnRate([box('paused', 4, 8, 10)])).toMatchObject({ perHourUsd: 10 * 0.000108, running: 0, diskOnly: 1 });
  });

  it('is zero for no sandboxes', () => {
    expect(burnRate([])).toEqual({ perHourUsd: 0, perDayUsd: 0, running: 0, diskOnly: 0, gpuNotPriced: 0 });
  });
});

describe('hoursLeft', () => {
  it.each([
    [10, 0.5, 20],
    [10, 0, Infinity],
    [0, 1, 0],
    [-5, 1, 0],
  ])('$%d at $%d/h -> %d h', (balance, rate, hours) => {
    expect(hoursLeft(balance, rate)).toBe(hours);
  });
});

describe('spend meter ("$ today")', () => {
  it('integrates the rate over time and starts again at local midnight', () => {
    const midnight = new Date(2026, 2, 1, 0, 0, 0, 0).getTime();
    let now = midnight + 22 * 3_600_000;
    const meter = createSpendMeter({ now: () => now });
    meter.update(1);
    now += 3_600_000;
    expect(meter.todayUsd()).toBeCloseTo(1, 10);
    meter.update(3);
    now += 1_800_000;
    expect(meter.todayUsd()).toBeCloseTo(2.5, 10);
    expect(meter.since()).toBe(midnight + 22 * 3_600_000);
    // 30 min later it is 00:00 on the next day; 30 min into it at $3/h is $1.50.
    now += 3_600_000;
    expect(meter.todayUsd()).toBeCloseTo(1.5, 10);
    expect(meter.since()).toBe(new Date(2026, 2, 2, 0, 0, 0, 0).getTime());
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '$0.00'],
    [0.0042, '$0.0042'],
    [0.05, '$0.05'],
    [1234.567, '$1,234.57'],
    [-3.5, '-$3.50'],
  ])('%d -> %s', (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });
});
