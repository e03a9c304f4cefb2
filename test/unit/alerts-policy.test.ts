import { beforeEach, describe, expect, it } from 'vitest';
import { createAlertPolicy, formatMinutes, type AlertPolicyOptions, type Timers } from '../../main/core/alerts/alert-policy.ts';
import {
  ALERT_KINDS,
  alertKindOf,
  alertSettingsFromNotifications,
  type Alert,
  type AlertSettings,
} from '../../main/core/alerts/alert-types.ts';
import { NOTIFICATION_KINDS } from '../../main/core/settings/settings-schema.ts';
import { classifyChange } from '../../main/core/alerts/classify.ts';
import type { SandboxChange } from '../../main/core/watcher/sandbox-diff.ts';
import type { WatchedSandbox } from '../../main/core/watcher/watched-sandbox.ts';

const MINUTE = 60_000;
const START = Date.parse('2026-03-01T12:00:00.000Z');

/** A clock whose timers fire only when the test advances it. */
function fakeClock(start = START) {
  let time = start;
  let nextId = 0;
  const queue = new Map<number, { at: number; callback: () => void }>();
  const timers: Timers = {
    setTimeout(callback, ms) {
      const id = ++nextId;
      queue.set(id, { at: time + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      queue.delete(handle as number);
    },
  };
  return {
    now: () => time,
    timers,
    pending: () => queue.size,
    advance(ms: number) {
      const target = time + ms;
      for (;;) {
        const due = [...queue.entries()].filter(([, timer]) => timer.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        queue.delete(due[0]);
        time = due[1].at;
        due[1].callback();
      }
      time = target;
    },
  };
}

function sandbox(id: string, overrides: Partial<WatchedSandbox> = {}): WatchedSandbox {
  return {
    id,
    name: `sb-${id}`,
    state: 'started',
    cpu: 1,
    gpu: 0,
    memory: 1,
    disk: 3,
    autoStopInterval: 15,
    autoArchiveInterval: 60,
    autoDeleteInterval: -1,
    lastActivityAt: new Date(START - 20 * MINUTE).toISOString(),
    ...overrides,
  };
}

function transition(old: WatchedSandbox, to: string, requested = false): SandboxChange {
  return { type: 'state', old, sandbox: { ...old, state: to }, from: old.state, to, requested };
}

describe('classifyChange', () => {
  const at = { now: START, minuteMs: MINUTE, clockSkewMs: 0 };

  it.each([
    ['started -> stopping, idle past auto-stop', transition(sandbox('a'), 'stopping'), 'auto-stop'],
    ['started -> stopped (seen by polling)', transition(sandbox('a'), 'stopped'), 'auto-stop'],
    [
      'stopped -> archiving after auto-archive',
      transition(sandbox('a', { state: 'stopped', lastActivityAt: new Date(START - 61 * MINUTE).toISOString() }), 'archiving'),
      'auto-archive',
    ],
    [
      'stopped -> archived with auto-archive 0 (= the maximum)',
      transition(
        sandbox('a', { state: 'stopped', autoArchiveInterval: 0, lastActivityAt: new Date(START - 43_200 * MINUTE).toISOString() }),
        'archived',
      ),
      'auto-archive',
    ],
    [
      'stopped -> destroying after auto-delete',
      transition(sandbox('a', { state: 'stopped', autoDeleteInterval: 10 }), 'destroying'),
      'auto-delete',
    ],
    ['started -> destroying for an ephemeral sandbox', transition(sandbox('a', { autoDeleteInterval: 0 }), 'destroying'), 'auto-delete'],
    [
      'started -> pausing, idle past auto-pause',
      transition(sandbox('a', { autoStopInterval: 0, autoPauseInterval: 10 }), 'pausing'),
      'auto-pause',
    ],
    [
      'started -> paused (seen by polling)',
      transition(sandbox('a', { autoStopInterval: 0, autoPauseInterval: 10 }), 'paused'),
      'auto-pause',
    ],
    [
      'paused -> destroying once its TTL ran out',
      transition(sandbox('a', { state: 'paused', autoDestroyAt: new Date(START - MINUTE).toISOString() }), 'destroying'),
      'ttl-expired',
    ],
    [
      'stopped -> destroying at its TTL, though auto-delete is off',
      transition(sandbox('a', { state: 'stopped', autoDestroyAt: new Date(START).toISOString() }), 'destroying'),
      'ttl-expired',
    ],
    [
      'removed (polling) while started, past its TTL',
      { type: 'removed', old: sandbox('a', { autoDestroyAt: new Date(START - MINUTE).toISOString() }), requested: false } as SandboxChange,
      'ttl-expired',
    ],
    ['anything -> error', transition(sandbox('a', { state: 'starting' }), 'error'), 'sandbox-error'],
    ['anything -> build_failed', transition(sandbox('a', { state: 'pending_build' }), 'build_failed'), 'sandbox-error'],
    [
      'removed while stopped past auto-delete (polling)',
      { type: 'removed', old: sandbox('a', { state: 'stopped', autoDeleteInterval: 5 }), requested: false } as SandboxChange,
      'auto-delete',
    ],
  ])('%s', (_name, change, kind) => {
    expect(classifyChange(change, at)?.kind).toBe(kind);
  });

  it.each([
    ['a stop this app asked for', transition(sandbox('a'), 'stopping', true)],
    [
      'a stop before the idle time ran out (someone else stopped it)',
      transition(sandbox('a', { lastActivityAt: new Date(START - 5 * MINUTE).toISOString() }), 'stopping'),
    ],
    ['auto-stop disabled (0)', transition(sandbox('a', { autoStopInterval: 0 }), 'stopped')],
    ['no lastActivityAt to judge by', transition(sandbox('a', { lastActivityAt: undefined }), 'stopped')],
    ['stopping -> stopped (already classified at the first step)', transition(sandbox('a', { state: 'stopping' }), 'stopped')],
    ['an archive before auto-archive', transition(sandbox('a', { state: 'stopped' }), 'archived')],
    ['a delete with auto-delete disabled', transition(sandbox('a', { state: 'stopped' }), 'destroying')],
    [
      'a requested delete',
      { type: 'removed', old: sandbox('a', { state: 'stopped', autoDeleteInterval: 5 }), requested: true } as SandboxChange,
    ],
    [
      'destroying -> gone',
      { type: 'removed', old: sandbox('a', { state: 'destroying', autoDeleteInterval: 5 }), requested: false } as SandboxChange,
    ],
    ['error -> error', transition(sandbox('a', { state: 'error' }), 'build_failed')],
    ['a start', transition(sandbox('a', { state: 'stopped' }), 'started')],
    ['a resume', transition(sandbox('a', { state: 'paused' }), 'started')],
    ['a pause this app asked for', transition(sandbox('a', { autoStopInterval: 0, autoPauseInterval: 10 }), 'pausing', true)],
    [
      'a pause before the idle time ran out (someone paused it)',
      transition(sandbox('a', { autoStopInterval: 0, autoPauseInterval: 30 }), 'pausing'),
    ],
    ['a pause with auto-pause off', transition(sandbox('a'), 'paused')],
    [
      'a delete before the TTL (the user deleted it)',
      transition(sandbox('a', { state: 'stopped', autoDestroyAt: new Date(START + 60 * MINUTE).toISOString() }), 'destroying'),
    ],
    [
      'a requested delete past the TTL',
      transition(sandbox('a', { state: 'stopped', autoDestroyAt: new Date(START - MINUTE).toISOString() }), 'destroying', true),
    ],
  ])('no alert for %s', (_name, change) => {
    expect(classifyChange(change, at)).toBeUndefined();
  });

  it('reports the idle time from the lastActivityAt before the stop, and scales with the provider minute', () => {
    const event = classifyChange(
      transition(sandbox('a', { autoStopInterval: 2, lastActivityAt: new Date(START - 250).toISOString() }), 'stopping'),
      { now: START, minuteMs: 100 },
    );
    expect(event).toMatchObject({ kind: 'auto-stop', idleMs: 250 });
  });

  it('tolerates a server clock slightly ahead of ours, but not by more than a tenth of the interval', () => {
    const early = (ms: number) =>
      transition(sandbox('a', { lastActivityAt: new Date(START - 15 * MINUTE + ms).toISOString() }), 'stopping');
    expect(classifyChange(early(5_000), { now: START, clockSkewMs: 10_000 })?.kind).toBe('auto-stop');
    expect(classifyChange(early(20_000), { now: START, clockSkewMs: 10_000 })).toBeUndefined();
    expect(classifyChange(early(5_000), { now: START, clockSkewMs: 0 })).toBeUndefined();
  });
});

describe('alert policy', () => {
  let clock: ReturnType<typeof fakeClock>;
  let alerts: Alert[];
  let settings: AlertSettings;

  function policy(extra: Partial<AlertPolicyOptions> = {}) {
    return createAlertPolicy({
      notifier: { notify: (alert) => alerts.push(alert) },
      now: clock.now,
      timers: clock.timers,
      settings: () => settings,
      clockSkewMs: 0,
      ...extra,
    });
  }

  beforeEach(() => {
    clock = fakeClock();
    alerts = [];
    settings = {};
  });

  it('notifies an auto-pause with a Resume action, and a TTL deletion as such (not as an auto-delete)', () => {
    const p = policy({ coalesceMs: 0 });
    p.onChanges([
      transition(sandbox('a', { name: 'agent', autoStopInterval: 0, autoPauseInterval: 10 }), 'pausing'),
      transition(
        sandbox('b', { name: 'short-lived', state: 'stopped', autoDestroyAt: new Date(START - MINUTE).toISOString() }),
        'destroying',
      ),
    ]);
    clock.advance(0);
    expect(alerts.map((alert) => alert.kind).sort()).toEqual(['auto-pause', 'ttl-expired']);
    const pause = alerts.find((alert) => alert.kind === 'auto-pause')!;
    expect(pause).toMatchObject({
      title: 'Sandbox auto-paused',
      sandboxIds: ['a'],
      actions: [{ type: 'restart-sandbox', sandboxId: 'a', label: 'Resume' }, { type: 'open-window' }],
    });
    expect(pause.body).toBe(
      '"agent" paused after 20 min idle (its auto-pause is 10 min). Everything in it is kept as it was; resume it to continue.',
    );
    const ttl = alerts.find((alert) => alert.kind === 'ttl-expired')!;
    expect(ttl).toMatchObject({ title: 'Sandbox reached its time to live', sandboxIds: ['b'] });
    expect(ttl.body).toMatch(/^"short-lived" was deleted: its time to live ended.*Its files are gone\.$/);
  });

  it('notifies an auto-stop with the name, idle time and a restart action, after the coalescing window', () => {
    const p = policy({ coalesceMs: 3_000 });
    p.onChanges([transition(sandbox('a', { name: 'web' }), 'stopping')]);
    clock.advance(2_999);
    expect(alerts).toEqual([]);
    clock.advance(1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'auto-stop',
      title: 'Sandbox auto-stopped',
      sandboxIds: ['a'],
      actions: [{ type: 'restart-sandbox', sandboxId: 'a' }, { type: 'open-window' }],
      at: new Date(START + 3_000).toISOString(),
    });
    expect(alerts[0]!.body).toContain('"web" stopped after 20 min idle');
  });

  it('does not alert for a stop this app asked for', () => {
    const p = policy();
    p.onChanges([transition(sandbox('a'), 'stopping', true)]);
    clock.advance(10 * MINUTE);
    expect(alerts).toEqual([]);
  });

  it('coalesces a burst into one notification naming the count', () => {
    const p = policy();
    for (const id of ['a', 'b', 'c']) p.onChanges([transition(sandbox(id), 'stopping')]);
    clock.advance(1_000);
    p.onChanges([
      transition(sandbox('d', { lastActivityAt: new Date(START - 30 * MINUTE).toISOString() }), 'stopped'),
      transition(sandbox('e'), 'stopped'),
    ]);
    clock.advance(5_000);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'auto-stop',
      title: '5 sandboxes auto-stopped',
      sandboxIds: ['a', 'b', 'c', 'd', 'e'],
      actions: [{ type: 'open-window' }],
    });
    expect(alerts[0]!.body).toBe('"sb-a", "sb-b", "sb-c" and 2 more stopped after 20 min to 30 min idle.');
  });

  it('rate-limits each kind: what arrives during the pause joins the next notification', () => {
    const p = policy({ coalesceMs: 1_000, minGapMs: 60_000 });
    p.onChanges([transition(sandbox('a'), 'stopping')]);
    clock.advance(1_000);
    expect(alerts).toHaveLength(1);
    p.onChanges([transition(sandbox('b'), 'stopping')]);
    clock.advance(30_000);
    p.onChanges([transition(sandbox('c'), 'stopping')]);
    // The first went out at +1 s, so the next may go at +61 s.
    clock.advance(29_999);
    expect(alerts).toHaveLength(1);
    clock.advance(1);
    expect(alerts).toHaveLength(2);
    expect(alerts[1]).toMatchObject({ title: '2 sandboxes auto-stopped', sandboxIds: ['b', 'c'] });
  });

  it('caps notifications of all kinds per window', () => {
    const p = policy({ coalesceMs: 0, minGapMs: 0, maxPerWindow: 2, windowMs: 60_000 });
    p.onChanges([transition(sandbox('a'), 'stopping')]);
    clock.advance(0);
    p.onChanges([transition(sandbox('b', { state: 'starting' }), 'error')]);
    clock.advance(0);
    p.onChanges([transition(sandbox('c', { state: 'stopped', autoDeleteInterval: 1 }), 'destroying')]);
    clock.advance(59_999);
    expect(alerts.map((alert) => alert.kind)).toEqual(['auto-stop', 'sandbox-error']);
    clock.advance(1);
    expect(alerts.map((alert) => alert.kind)).toEqual(['auto-stop', 'sandbox-error', 'auto-delete']);
  });

  it('skips kinds switched off in settings, including ones switched off while waiting', () => {
    settings = alertSettingsFromNotifications({ autoStop: false });
    const p = policy();
    p.onChanges([
      transition(sandbox('a'), 'stopping'),
      transition(sandbox('b', { state: 'stopped', autoDeleteInterval: 1 }), 'destroying'),
    ]);
    settings = { enabled: { 'auto-delete': false } };
    clock.advance(10_000);
    expect(alerts).toEqual([]);
  });

  it('maps every notification switch of settings onto its alert kind', () => {
    expect(
      alertSettingsFromNotifications(
        {
          autoStop: false,
          autoPause: true,
          autoArchive: true,
          autoDelete: false,
          ttlExpired: false,
          sandboxError: false,
          lowBalance: true,
          creditsDepleted: false,
          serverFailed: false,
        },
        250,
      ),
    ).toEqual({
      enabled: {
        'auto-stop': false,
        'auto-pause': true,
        'auto-archive': true,
        'auto-delete': false,
        'ttl-expired': false,
        'sandbox-error': false,
        'low-balance': true,
        'credits-depleted': false,
        'server-failed': false,
      },
      lowBalanceThresholdCents: 250,
    });
  });

  it('words auto-archive, auto-delete and error alerts', () => {
    const p = policy({ minGapMs: 0 });
    p.onChanges([
      transition(
        sandbox('a', { name: 'old', state: 'stopped', lastActivityAt: new Date(START - 2 * 24 * 60 * MINUTE).toISOString() }),
        'archiving',
      ),
    ]);
    p.onChanges([transition(sandbox('b', { name: 'tmp', autoDeleteInterval: 0 }), 'destroying')]);
    p.onChanges([
      {
        type: 'state',
        old: sandbox('c', { name: 'bad', state: 'starting' }),
        sandbox: sandbox('c', { name: 'bad', state: 'error', errorReason: 'disk full' }),
        from: 'starting',
        to: 'error',
        requested: false,
      },
    ]);
    clock.advance(5_000);
    const byKind = Object.fromEntries(alerts.map((alert) => [alert.kind, alert]));
    expect(byKind['auto-archive']).toMatchObject({
      title: 'Sandbox auto-archived',
      actions: [{ type: 'restart-sandbox', label: 'Start' }, { type: 'open-window' }],
    });
    expect(byKind['auto-archive']!.body).toContain('"old" was archived after 2 d without activity');
    expect(byKind['auto-delete']!.body).toContain(
      '"tmp" was deleted after 20 min idle (an ephemeral sandbox is deleted instead of stopped)',
    );
    expect(byKind['auto-delete']!.actions).toEqual([{ type: 'open-window', label: 'Open Daytona Tray' }]);
    expect(byKind['sandbox-error']!.body).toBe('"bad" went into state error: disk full.');
  });

  it('warns about a low balance once per crossing below the threshold', () => {
    settings = { lowBalanceThresholdCents: 500 };
    const p = policy({ minGapMs: 0 });
    p.onBalance({ balanceCents: 900 });
    p.onBalance({ balanceCents: 450, hoursLeft: 5.5 });
    p.onBalance({ balanceCents: 300 });
    clock.advance(1_000);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'low-balance', sandboxIds: [], actions: [{ type: 'top-up' }, { type: 'open-window' }] });
    expect(alerts[0]!.body).toBe(
      '$4.50 left, below your $5.00 warning level. About 5 h 30 min left at the current burn rate. Top up to keep sandboxes running.',
    );
    p.onBalance({ balanceCents: 2_000 });
    p.onBalance({ balanceCents: 100 });
    clock.advance(1_000);
    expect(alerts).toHaveLength(2);
  });

  it('notifies depleted credits once until they are back', () => {
    const p = policy({ minGapMs: 0 });
    p.onCreditsDepleted(true, 'Credits depleted');
    p.onCreditsDepleted(true, 'Credits depleted');
    clock.advance(0);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'credits-depleted', title: 'Daytona credits depleted' });
    expect(alerts[0]!.body).toContain('suspended (Credits depleted)');
    p.onCreditsDepleted(false);
    p.onCreditsDepleted(true);
    clock.advance(0);
    expect(alerts).toHaveLength(2);
  });

  it('notifies an MCP server down for 30 s, not one that comes back sooner', () => {
    const p = policy({ minGapMs: 0 });
    p.onMcpStatus(false);
    clock.advance(29_000);
    p.onMcpStatus(true);
    clock.advance(60_000);
    expect(alerts).toEqual([]);
    p.onMcpStatus(false);
    p.onMcpStatus(false);
    clock.advance(30_000);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'server-failed', actions: [{ type: 'restart-mcp' }, { type: 'open-window' }] });
    clock.advance(10 * MINUTE);
    expect(alerts).toHaveLength(1);
  });

  it('drops pending alerts and timers on dispose', () => {
    const p = policy();
    p.onChanges([transition(sandbox('a'), 'stopping')]);
    p.onMcpStatus(false);
    p.dispose();
    expect(clock.pending()).toBe(0);
    clock.advance(MINUTE);
    expect(alerts).toEqual([]);
  });
});

describe('formatMinutes', () => {
  it.each([
    [0, '0 min'],
    [14.6, '15 min'],
    [60, '1 h'],
    [125, '2 h 5 min'],
    [1440, '1 d'],
    [1500, '1 d 1 h'],
  ])('%d -> %s', (minutes, text) => {
    expect(formatMinutes(minutes)).toBe(text);
  });
});

describe('alert kinds and their switches', () => {
  it('each notification switch in settings names one alert kind, its kebab-case form (serverFailed: server-failed)', () => {
    expect(NOTIFICATION_KINDS.map(alertKindOf)).toEqual([...ALERT_KINDS]);
    expect(ALERT_KINDS).toEqual([
      'auto-stop',
      'auto-pause',
      'auto-archive',
      'auto-delete',
      'ttl-expired',
      'sandbox-error',
      'low-balance',
      'credits-depleted',
      'server-failed',
    ]);
  });
});
