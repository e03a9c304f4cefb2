import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trayView, type TrayMenuAction } from '../../main/app/tray-menu.ts';
import type { BackoffPolicy } from '../../main/core/supervisor/backoff.ts';
import type { SettingsPatch } from '../../preload/contract.ts';
import { manualTimers, startTestApp, waitUntil, type TestApp } from '../helpers/app-harness.ts';
import { CLI } from '../helpers/paths.ts';

const MINUTE_MS = 300;
const WAIT = { timeout: 45_000, interval: 50 };
// A child that fails waits a minute before the supervisor starts it again: within a test, only the action
// under test (a button, a menu item) can bring the server back.
const SLOW_BACKOFF: BackoffPolicy = { initialMs: 60_000, factor: 1, maxMs: 60_000, stableMs: 10_000, crashLoopAfter: 1 };

/**
 * What a notification's click and buttons and the tray menu's items do, driven through the app as buildApp
 * builds it for a shell (the same wiring main/index.ts and the web shell use), on real parts: the MCP server
 * and the local provider run as supervised children, client config files are real files. The desktop is a
 * recording double; the alert policy's timers are fired by the test, so "no notification" is a decision the
 * policy has already made, not a wait.
 */
describe('notifications and the tray menu, through buildApp', () => {
  const timers = manualTimers();
  let test: TestApp;

  const state = () => test.state();
  const server = () => test.supervisor.status();
  const notificationsOf = (kind: string) => test.desktop.notifications.filter(({ spec }) => spec.groupId === `daytona-tray.${kind}`);
  /** A tray menu item as the tray shows it now (the shell calls runTrayAction with its action on a click). */
  const menuItem = (id: string): { label: string; action: TrayMenuAction } => {
    const item = trayView(state(), 'linux').menu.find((entry) => entry.kind === 'item' && entry.id === id);
    if (!item || item.kind !== 'item') throw new Error(`the tray menu has no item '${id}'`);
    return item;
  };
  /** Changes settings through the contract and waits for the snapshot (which the alert policy's switches follow). */
  async function updateSettings(patch: SettingsPatch): Promise<void> {
    const result = await test.call('updateSettings', patch);
    expect(result.ok).toBe(true);
    const wanted = result.ok ? result.value : undefined;
    await expect.poll(() => state().settings, WAIT).toEqual(wanted);
  }
  async function autoStoppedSandbox(name: string): Promise<string> {
    const daytona = test.localDaytona();
    try {
      const { id } = await daytona.create({ name, autoStopInterval: 1 });
      await expect.poll(() => state().sandboxes.find((view) => view.id === id)?.state, WAIT).toBe('started');
      await expect.poll(() => state().sandboxes.find((view) => view.id === id)?.state, WAIT).toBe('stopped');
      return id;
    } finally {
      await daytona[Symbol.asyncDispose]();
    }
  }

  beforeAll(async () => {
    // macOS: notifications there have buttons.
    test = await startTestApp({
      platform: 'darwin',
      minuteMs: MINUTE_MS,
      alerts: { timers, maxPerWindow: 100 },
      supervisor: { backoff: SLOW_BACKOFF },
    });
    await waitUntil(() => server().state === 'running' && state().watcher.state === 'running', 'the MCP server and the watcher');
    await test.call('useLocalProvider');
  });

  afterAll(async () => {
    await test?.cleanup();
  });

  it('auto-stop switched off: a sandbox that auto-stops is not notified; switched on: it is, and the click opens the Sandboxes view at that sandbox', async () => {
    await updateSettings({ notifications: { autoStop: false } });
    await autoStoppedSandbox('quiet-box');
    timers.runAll();
    expect(notificationsOf('auto-stop')).toEqual([]);

    await updateSettings({ notifications: { autoStop: true } });
    const id = await autoStoppedSandbox('loud-box');
    timers.runAll();
    const [notification, ...more] = notificationsOf('auto-stop');
    expect(more).toEqual([]);
    expect(notification!.spec.body).toContain('loud-box');
    expect(notification!.spec.body).not.toContain('quiet-box');

    const shown = test.desktop.shown.length;
    notification!.click();
    expect(test.desktop.shown.slice(shown)).toEqual([{ view: 'sandboxes', sandboxId: id }]);
  });

  it('MCP server down: notified once it has not served for a while; the click opens the Server view; "Restart server" starts a new one', async () => {
    const before = server().pid;
    expect(before).toBeGreaterThan(0);
    // Another program takes the port the settings ask for: the server cannot start, and stays down.
    const blocker = await listenOnLoopback();
    const port = (blocker.address() as { port: number }).port;
    try {
      await updateSettings({ mcpPort: port });
      await expect.poll(() => server().state, WAIT).toBe('failed');
      expect(server().pid).toBeUndefined();
      timers.runAll();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    const [notification, ...more] = notificationsOf('server-failed');
    expect(more).toEqual([]);
    expect(notification!.spec).toMatchObject({
      title: 'Daytona MCP server is down',
      urgency: 'critical',
      buttons: [{ label: 'Restart server', action: { type: 'restart-mcp' } }],
    });

    const shown = test.desktop.shown.length;
    notification!.click();
    expect(test.desktop.shown.slice(shown)).toEqual([{ view: 'server' }]);

    notification!.press('Restart server');
    await expect.poll(() => server().state, WAIT).toBe('running');
    expect(server().pid).not.toBe(before);
    expect(server().port).toBe(port);
  });

  it('server-down switched off: a server that stays down is not notified', async () => {
    await updateSettings({ notifications: { serverFailed: false } });
    const pid = server().pid!;
    const notified = notificationsOf('server-failed').length;
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => server().state, WAIT).toBe('failed');
    timers.runAll();
    expect(notificationsOf('server-failed')).toHaveLength(notified);
  });

  it('the tray menu\'s "Restart MCP server" starts a new server', async () => {
    const before = server().server.starts;
    const item = menuItem('restart-server');
    expect(item.label).toBe('Restart MCP server');
    await test.app.runTrayAction(item.action);
    await expect.poll(() => server().state, WAIT).toBe('running');
    expect(server().server.starts).toBe(before + 1);
    expect(server().pid).toBeGreaterThan(0);
  });

  it('the tray menu\'s "Connect Cursor" writes our bridge entry into Cursor\'s config file, then shows it checked', async () => {
    await expect.poll(() => state().clients.find((client) => client.id === 'cursor')?.installed, WAIT).toBe(true);
    const item = menuItem('client-cursor');
    expect(item).toMatchObject({ label: 'Connect Cursor', checked: false, action: { type: 'connect-client', id: 'cursor' } });
    await test.app.runTrayAction(item.action);
    const config = JSON.parse(await readFile(join(test.home, '.cursor', 'mcp.json'), 'utf8')) as {
      mcpServers: Record<string, { command: string; args: string[] }>;
    };
    // Cursor's entry carries its tool preset, under its 40-tool cap.
    expect(config.mcpServers.daytona).toMatchObject({
      command: process.execPath,
      args: [CLI, 'bridge', '--tools', 'sandbox,files,process,git,preview'],
    });
    await expect
      .poll(() => menuItem('client-cursor'), WAIT)
      .toMatchObject({ checked: true, action: { type: 'disconnect-client', id: 'cursor' } });
  });

  it('low balance: the threshold comes from settings, the switch silences it, and "Top up" opens the billing page', async () => {
    await updateSettings({ lowBalanceThresholdCents: 500, notifications: { lowBalance: false } });
    test.alerts.onBalance({ balanceCents: 120 });
    timers.runAll();
    expect(notificationsOf('low-balance')).toEqual([]);

    await updateSettings({ notifications: { lowBalance: true } });
    test.alerts.onBalance({ balanceCents: 600 }); // back above: the next drop is a new crossing
    test.alerts.onBalance({ balanceCents: 120 });
    timers.runAll();
    const [notification, ...more] = notificationsOf('low-balance');
    expect(more).toEqual([]);
    expect(notification!.spec.body).toContain('below your $5.00 warning level');
    notification!.press('Top up');
    await expect.poll(() => test.desktop.opened.at(-1), WAIT).toBe('https://app.daytona.io/dashboard/billing/wallet');
  });

  it('the log file keeps the app\'s and the children\'s lines, secrets replaced; "Open logs" and the window open it', async () => {
    const file = join(test.home, 'data', 'logs', 'daytona-tray.log');
    // The MCP server's and the local provider's own lines, and the supervisor's notes, reach the file.
    await expect.poll(async () => readFile(file, 'utf8').catch(() => ''), WAIT).toMatch(/ mcp: .*\n/);
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(/ supervisor: /);
    expect(text).toMatch(/ local: /);
    const localKey = test.supervisor.localEndpoint()!.apiKey;
    expect(localKey.length).toBeGreaterThan(8);
    expect(text).not.toContain(localKey);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const log = await test.call('readServerLog', { limit: 5 });
    expect(log).toMatchObject({ ok: true, value: { file } });

    const item = menuItem('open-logs');
    expect(item.label).toBe('Open logs');
    await test.app.runTrayAction(item.action);
    expect(test.desktop.openedFiles).toEqual([file]);
    expect(await test.call('openLogFile')).toEqual({ ok: true, value: { path: file } });
    expect(test.desktop.openedFiles).toEqual([file, file]);
  });

  it('the tray menu\'s update items reach the desktop\'s updater: "Check for updates…" checks, "Restart to update" installs', async () => {
    await test.app.runTrayAction({ type: 'check-updates' });
    await test.app.runTrayAction({ type: 'install-update' });
    expect(test.desktop.updateCalls).toEqual(['check', 'install']);
  });

  it('the tray menu\'s "Quit" stops everything: the MCP server and the local provider are reaped', async () => {
    const status = server();
    const pids = [status.pid, status.localProvider?.pid];
    expect(pids).toEqual([expect.any(Number), expect.any(Number)]);
    await test.app.runTrayAction(menuItem('quit').action);
    expect(test.desktop.quits).toBe(1);
    await test.quitted();
    expect(server().state).toBe('stopped');
    for (const pid of pids) expect(() => process.kill(pid!, 0)).toThrow();
  });
});

function listenOnLoopback(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const blocker = createServer();
    blocker.once('error', reject);
    blocker.listen(0, '127.0.0.1', () => resolve(blocker));
  });
}
