import { afterEach, describe, expect, it } from 'vitest';
import { createAlertPolicy } from '../../main/core/alerts/alert-policy.ts';
import type { Alert } from '../../main/core/alerts/alert-types.ts';
import type { SandboxChange } from '../../main/core/watcher/sandbox-diff.ts';
import {
  createSandboxWatcher,
  type SandboxWatcher,
  type SandboxWatcherOptions,
  type WatcherStatus,
} from '../../main/core/watcher/sandbox-watcher.ts';
import { startLocalProvider } from '../../main/local/provider.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// One scaled "minute" of auto-stop/archive/delete: long enough for a create to finish first on a busy box.
const MINUTE_MS = 600;

interface Run {
  t: TestProvider;
  watcher: SandboxWatcher;
  changes: SandboxChange[];
  alerts: Alert[];
  statuses: WatcherStatus[];
}

let run: Run | undefined;

afterEach(async () => {
  await run?.watcher.stop();
  await run?.t.stop();
  run = undefined;
});

async function startRun(watcherOptions: Partial<SandboxWatcherOptions>): Promise<Run> {
  const t = await startTestProvider({ minuteMs: MINUTE_MS });
  const changes: SandboxChange[] = [];
  const alerts: Alert[] = [];
  const statuses: WatcherStatus[] = [];
  const watcher = createSandboxWatcher({ apiUrl: t.provider.apiUrl, credentials: () => ({ token: t.provider.apiKey }), ...watcherOptions });
  const policy = createAlertPolicy({
    notifier: { notify: (alert) => alerts.push(alert) },
    minuteMs: MINUTE_MS,
    coalesceMs: 0,
    minGapMs: 0,
    maxPerWindow: 100,
  });
  watcher.onChanges((batch) => {
    changes.push(...batch);
    policy.onChanges(batch);
  });
  watcher.onStatus((status) => statuses.push(status));
  run = { t, watcher, changes, alerts, statuses };
  return run;
}

const about = (id: string) => (change: SandboxChange) => ('sandbox' in change ? change.sandbox.id : change.old.id) === id;
const transitions = (changes: SandboxChange[], id: string) =>
  changes
    .filter(about(id))
    .flatMap((change) =>
      change.type === 'state'
        ? [`${change.from}->${change.to}${change.requested ? ' (ours)' : ''}`]
        : change.type === 'removed'
          ? [`removed${change.requested ? ' (ours)' : ''}`]
          : [],
    );
const waitFor = (check: () => boolean, what: string) => expect.poll(check, { timeout: 30_000, interval: 25, message: what }).toBe(true);

describe('sandbox watcher against the local provider (scaled time)', () => {
  it('sees create, a requested stop, auto-stop, auto-archive, auto-delete and delete through events', async () => {
    // Listings every 10 min: within this test every change can only have arrived as an event.
    const { t, watcher, changes, alerts } = await startRun({ pollMs: { visible: 600_000, hidden: 600_000 } });
    watcher.start();
    let listings = 0;
    t.provider.http.on('request', (req) => {
      if (req.url?.startsWith('/api/sandbox?')) listings++;
    });
    await waitFor(
      () => watcher.status().events === 'live' && watcher.status().lastListingAt !== undefined,
      'the event stream connects and the first listing arrives',
    );
    // The connect itself triggers a catch-up listing; let it finish, then count.
    await watcher.refresh();
    const listingsBefore = listings;

    const manual = await t.daytona.create({ name: 'manual', autoStopInterval: 0 });
    await waitFor(
      () => changes.some((change) => change.type === 'added' && change.sandbox.id === manual.id && !change.initial),
      'the create is seen',
    );
    watcher.noteRequestedStop(manual.id);
    await manual.stop();
    await waitFor(() => transitions(changes, manual.id).includes('stopping->stopped (ours)'), 'the requested stop is seen');
    expect(transitions(changes, manual.id)).toEqual(['creating->started', 'started->stopping (ours)', 'stopping->stopped (ours)']);

    const idle = await t.daytona.create({ name: 'idle', autoStopInterval: 1, autoArchiveInterval: 1 });
    const ephemeral = await t.daytona.create({ name: 'ephemeral-ish', autoStopInterval: 1, autoDeleteInterval: 1 });
    await waitFor(() => watcher.sandboxes().get(idle.id)?.state === 'archived', 'auto-stop then auto-archive of "idle"');
    await waitFor(() => !watcher.sandboxes().has(ephemeral.id), 'auto-stop then auto-delete of "ephemeral-ish"');
    expect(transitions(changes, idle.id)).toEqual([
      'creating->started',
      'started->stopping',
      'stopping->stopped',
      'stopped->archiving',
      'archiving->archived',
    ]);
    expect(transitions(changes, ephemeral.id)).toEqual([
      'creating->started',
      'started->stopping',
      'stopping->stopped',
      'stopped->destroying',
      'removed',
    ]);

    watcher.noteRequested(idle.id, 'delete');
    await idle.delete();
    await waitFor(() => !watcher.sandboxes().has(idle.id), 'the delete is seen');
    expect(transitions(changes, idle.id).at(-1)).toBe('removed (ours)');
    expect(listings).toBe(listingsBefore);

    // The alert policy on top: our stop and our delete are silent; the automatic ones are not.
    await waitFor(() => alerts.length === 4, 'four alerts');
    expect(alerts.map((alert) => `${alert.kind}:${alert.sandboxIds.join()}`).sort()).toEqual(
      [`auto-archive:${idle.id}`, `auto-delete:${ephemeral.id}`, `auto-stop:${ephemeral.id}`, `auto-stop:${idle.id}`].sort(),
    );
    expect(alerts.find((alert) => alert.kind === 'auto-stop' && alert.sandboxIds[0] === idle.id)!.body).toMatch(
      /^"idle" stopped after 1 min idle/,
    );
  });

  it('sees the same lifecycle by polling when events are blocked (wrong socket path)', async () => {
    const { t, watcher, changes, alerts, statuses } = await startRun({
      events: { path: '/not-the-gateway/socket.io/' },
      pollMs: { visible: 100, hidden: 100 },
    });
    watcher.start();
    await waitFor(
      () => statuses.some((status) => status.events === 'down' && status.problem?.kind === 'events'),
      'the event stream is reported down',
    );
    // The stream can be reported down before the first listing has come back: the watcher runs once it has.
    await waitFor(() => watcher.status().state === 'running', 'the watcher running on listings alone');

    const idle = await t.daytona.create({ name: 'polled', autoStopInterval: 1, autoArchiveInterval: 1 });
    await waitFor(
      () => changes.some((change) => change.type === 'added' && change.sandbox.id === idle.id),
      'the create is seen by polling',
    );
    await waitFor(() => watcher.sandboxes().get(idle.id)?.state === 'archived', 'auto-stop then auto-archive seen by polling');
    const seen = transitions(changes, idle.id);
    // Polling sees snapshots, so intermediate states may be skipped; the stop and the archive always show.
    expect(seen.find((step) => step.startsWith('started->'))).toMatch(/^started->(stopping|stopped)$/);
    expect(seen.find((step) => step.startsWith('stopped->'))).toMatch(/^stopped->(archiving|archived)$/);

    await idle.delete();
    await waitFor(() => !watcher.sandboxes().has(idle.id), 'the delete is seen by polling');
    expect(watcher.status().events).toBe('down');
    await waitFor(() => alerts.length === 2, 'auto-stop and auto-archive alerts');
    expect(alerts.map((alert) => alert.kind).sort()).toEqual(['auto-archive', 'auto-stop']);
  });

  it('polls only, opening no socket, with events switched off', async () => {
    const { t, watcher, changes } = await startRun({ events: false, pollMs: { visible: 100, hidden: 100 } });
    let upgrades = 0;
    // The SDK client of the test opens its own socket; count only ours.
    t.provider.http.on('upgrade', (req) => {
      if (req.url?.includes('source=daytona-tray')) upgrades++;
    });
    watcher.start();
    const sandbox = await t.daytona.create({ name: 'quiet' });
    await waitFor(() => changes.some((change) => change.type === 'added' && change.sandbox.id === sandbox.id), 'the create is seen');
    expect(watcher.status().events).toBe('off');
    expect(upgrades).toBe(0);
  });

  it('reconnects the event stream after the machine slept (wall clock jumped past the monotonic one), and on wake()', async () => {
    let skew = 0;
    const { t, watcher, statuses } = await startRun({ pollMs: { visible: 600_000, hidden: 600_000 }, now: () => Date.now() + skew });
    let connects = 0;
    t.provider.http.on('upgrade', (req) => {
      if (req.url?.includes('source=daytona-tray')) connects++;
    });
    watcher.start();
    await waitFor(() => watcher.status().events === 'live', 'the event stream connects');
    expect(connects).toBe(1);
    skew += 3_600_000;
    await watcher.refresh();
    await waitFor(() => connects === 2 && watcher.status().events === 'live', 'a new connection after the sleep');
    expect(statuses.some((status) => status.events === 'connecting')).toBe(true);
    watcher.wake();
    await waitFor(() => connects === 3 && watcher.status().events === 'live', 'a new connection after wake()');
    // The stream is live again: a create arrives as an event although listings are 10 min apart.
    const sandbox = await t.daytona.create({ name: 'after-sleep' });
    await waitFor(() => watcher.sandboxes().get(sandbox.id)?.state === 'started', 'the create is seen');
  });

  it('rides out the API going offline: reports the network problem, then lists and reconnects once it is back', async () => {
    const dir = await tempDir('daytona-tray-watch-offline-');
    let provider = await startLocalProvider({ dataDir: dir.path, minuteMs: MINUTE_MS });
    const { port, apiKey, apiUrl } = provider;
    const watcher = createSandboxWatcher({
      apiUrl,
      credentials: () => ({ token: apiKey }),
      pollMs: { visible: 100, hidden: 100 },
      backoff: { baseMs: 100, maxMs: 1_000 },
    });
    const problems: string[] = [];
    watcher.onStatus((status) => {
      if (status.problem) problems.push(status.problem.kind);
    });
    try {
      watcher.start();
      await waitFor(() => watcher.status().events === 'live', 'live at first');
      await provider.close();
      await waitFor(() => watcher.status().problem?.kind === 'network', 'the outage is reported');
      expect(watcher.status().events).toBe('down');
      provider = await startLocalProvider({ dataDir: dir.path, minuteMs: MINUTE_MS, port, apiKey });
      await waitFor(
        () => watcher.status().events === 'live' && watcher.status().problem === undefined && watcher.status().failures === 0,
        'listing and events are back',
      );
      expect(problems).toContain('network');
      expect(watcher.status().state).toBe('running');
    } finally {
      await watcher.stop();
      await provider.close();
      await dir.cleanup();
    }
  });
});
