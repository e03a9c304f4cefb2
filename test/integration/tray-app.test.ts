import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Daytona } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../main/app/build-app.ts';
import { registerBridgeHandlers, type IpcSender } from '../../main/app/ipc-registry.ts';
import type { TrayApp } from '../../main/app/tray-app.ts';
import { trayView } from '../../main/app/tray-menu.ts';
import { resolveBridgeLaunch } from '../../main/core/clients/bridge-launch.ts';
import { createMemorySecretStore } from '../../main/core/secrets/memory-secret-store.ts';
import { createSettingsStore } from '../../main/core/settings/settings-store.ts';
import type { McpSupervisor } from '../../main/core/supervisor/mcp-supervisor.ts';
import { METHOD_CHANNELS, type AppState, type BridgeMethodName, type RequestOf, type Result, type ValueOf } from '../../preload/contract.ts';
import { createDesktopDouble, type DesktopDouble } from '../helpers/desktop-double.ts';
import { cliEnv } from '../helpers/local-cli.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { CLI } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// The supervised provider's scaled minute: a sandbox with auto-stop 1 stops after this many ms idle.
const MINUTE_MS = 400;
const WAIT = { timeout: 45_000, interval: 50 };

/**
 * The app behind the tray and the window, in Node, on real parts: the supervisor runs the built CLI's MCP
 * server and local provider as children, the watcher and alert policy follow the provider, client setup
 * writes real files in a temp HOME. Only the desktop (Electron) is a recording double.
 */
describe('tray app on the local provider', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let app: TrayApp;
  let desktop: DesktopDouble;
  let supervisor: McpSupervisor;
  let cloud: TestProvider;
  const secrets = createMemorySecretStore();

  const state = () => app.state();
  /** Calls a contract method the way the window does: through the IPC registry (sender check, zod parse). */
  let call: <K extends BridgeMethodName>(method: K, ...request: RequestOf<K> extends undefined ? [] : [RequestOf<K>]) => Promise<Result<ValueOf<K>>>;
  const local = () => {
    const endpoint = supervisor.localEndpoint();
    if (!endpoint) throw new Error('the local provider is not ready');
    return new Daytona({ apiUrl: endpoint.apiUrl, apiKey: endpoint.apiKey });
  };

  beforeAll(async () => {
    home = await tempDir('daytona-tray-app-');
    const dataDir = join(home.path, 'data');
    const env = cliEnv(dataDir, { DAYTONA_TRAY_LOCAL_MINUTE_MS: String(MINUTE_MS), HOME: home.path, DAYTONA_TRAY_NO_BWRAP: '1' });
    await mkdir(join(home.path, '.cursor'), { recursive: true }); // Cursor counts as installed
    // macOS: notifications there have buttons.
    desktop = createDesktopDouble({ platform: 'darwin' });
    const host = { platform: 'linux' as const, home: home.path, env: { HOME: home.path, PATH: '/nonexistent' } };
    const built = buildApp({
      desktop,
      cliScript: CLI,
      settings: createSettingsStore({ file: join(dataDir, 'settings.json') }),
      secrets,
      env: {},
      supervisor: { env, profileCheckMs: 0 },
      clients: { host, launch: resolveBridgeLaunch({ execPath: process.execPath, electron: false, cliScript: CLI }) },
      alerts: { coalesceMs: 100 },
    });
    ({ app, supervisor } = built);
    await app.start();
    const channels = new Map<string, (sender: IpcSender, payload: unknown) => Promise<unknown>>();
    const window: IpcSender = { webContentsId: 1, frameUrl: 'file:///app/out/renderer/index.html', isMainFrame: true };
    registerBridgeHandlers({ handle: (channel, listener) => void channels.set(channel, listener), removeHandler: () => {} }, app.handlers, { isTrusted: (sender) => sender === window });
    call = (method, ...request) => channels.get(METHOD_CHANNELS[method])!(window, request[0]) as never;
  });

  afterAll(async () => {
    await app?.stop();
    await cloud?.stop();
    await home?.cleanup();
  });

  it('starts on the local provider on first run: MCP server running, sandboxes watched, isolation reported', async () => {
    expect(state().firstRun).toBe(true);
    await expect.poll(() => state().server.state, WAIT).toBe('running');
    await expect.poll(() => state().watcher.state, WAIT).toBe('running');
    const current = state();
    expect(current.profile).toMatchObject({ name: 'local', kind: 'local', apiKey: { set: false }, isolation: 'none' });
    expect(current.server).toMatchObject({ url: `http://127.0.0.1:${current.server.port}/mcp`, localProvider: { state: 'running' } });
    expect(current.billing).toMatchObject({ mode: 'local', label: 'local — free', balance: { state: 'not-applicable' } });
    await expect.poll(() => state().account.state, WAIT).toBe('unavailable');
    expect(trayView(current, 'linux').menu).toContainEqual(expect.objectContaining({ id: 'server-status', label: `MCP server running on port ${current.server.port}` }));

    const chosen = await call('useLocalProvider');
    expect(chosen).toMatchObject({ ok: true, value: { name: 'local', kind: 'local' } });
    expect(state().firstRun).toBe(false);
  });

  it('shows a sandbox created elsewhere, notifies its auto-stop with a Restart action, and restarts it from there', async () => {
    const daytona = local();
    try {
      const sandbox = await daytona.create({ name: 'agent-box', autoStopInterval: 1 });
      await expect.poll(() => state().sandboxes.find((view) => view.id === sandbox.id)?.state, WAIT).toBe('started');
      const view = state().sandboxes.find((entry) => entry.id === sandbox.id)!;
      expect(view).toMatchObject({ name: 'agent-box', autoStopInterval: 1, notIsolated: true });
      expect(Date.parse(view.autoStopAt!)).toBeGreaterThan(Date.parse(view.lastActivityAt!));
      expect(trayView(state(), 'linux').icon).toBe('active');

      const autoStop = () => desktop.notifications.find(({ spec }) => spec.groupId === 'daytona-tray.auto-stop' && spec.body.includes('agent-box'));
      await expect.poll(autoStop, WAIT).toBeTruthy();
      const notification = autoStop()!;
      expect(notification.spec).toMatchObject({ title: 'Sandbox auto-stopped', view: 'sandboxes', buttons: [{ label: 'Restart', action: { type: 'restart-sandbox', sandboxId: sandbox.id } }] });
      await expect.poll(() => state().sandboxes.find((entry) => entry.id === sandbox.id)?.state, WAIT).toBe('stopped');

      notification.press('Restart');
      await expect.poll(() => state().sandboxes.find((entry) => entry.id === sandbox.id)?.state, WAIT).toBe('started');
      // The click opens the window at the Sandboxes view, at this sandbox.
      const shown = desktop.shown.length;
      notification.click();
      expect(desktop.shown.slice(shown)).toEqual([{ view: 'sandboxes', sandboxId: sandbox.id }]);
    } finally {
      await daytona[Symbol.asyncDispose]();
    }
  });

  it('stops, starts and deletes through the contract; a stop asked for here raises no auto-stop alert', async () => {
    const daytona = local();
    let id: string;
    try {
      id = (await daytona.create({ name: 'window-box', autoStopInterval: 0 })).id;
    } finally {
      await daytona[Symbol.asyncDispose]();
    }
    await expect.poll(() => state().sandboxes.some((view) => view.id === id), WAIT).toBe(true);
    const before = desktop.notifications.length;
    expect(await call('stopSandbox', { id })).toEqual({ ok: true, value: undefined });
    await expect.poll(() => state().sandboxes.find((view) => view.id === id)?.state, WAIT).toBe('stopped');
    expect(await call('startSandbox', { id })).toEqual({ ok: true, value: undefined });
    await expect.poll(() => state().sandboxes.find((view) => view.id === id)?.state, WAIT).toBe('started');
    const preview = await call('openPreview', { id, port: 3000 });
    expect(preview).toMatchObject({ ok: true, value: { url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+/) } });
    expect(desktop.opened.at(-1)).toBe(preview.ok ? preview.value.url : '');
    expect(await call('copyText', { text: id })).toEqual({ ok: true, value: undefined });
    expect(desktop.copied).toEqual([id]);
    expect(await call('deleteSandbox', { id })).toEqual({ ok: true, value: undefined });
    await expect.poll(() => state().sandboxes.some((view) => view.id === id), WAIT).toBe(false);
    // The stop and the delete were ours: no auto-stop or auto-delete alert about this sandbox.
    expect(desktop.notifications.slice(before).filter(({ spec }) => spec.body.includes('window-box'))).toEqual([]);
    const missing = await call('startSandbox', { id: 'no-such-sandbox' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('connects and disconnects a detected client, with check marks in the tray menu', async () => {
    await expect.poll(() => state().clients.find((client) => client.id === 'cursor')?.installed, WAIT).toBe(true);
    const preview = await call('previewClientSetup', { id: 'cursor', action: 'connect' });
    expect(preview).toMatchObject({ ok: true, value: { dryRun: true, diff: expect.stringContaining('daytona') } });
    const connected = await call('connectClient', { id: 'cursor' });
    expect(connected).toMatchObject({ ok: true, value: { id: 'cursor', action: 'connected', dryRun: false } });
    await expect.poll(() => state().clients.find((client) => client.id === 'cursor')?.connected, WAIT).toBe(true);
    expect(trayView(state(), 'linux').menu).toContainEqual(expect.objectContaining({ id: 'client-cursor', checked: true, action: { type: 'disconnect-client', id: 'cursor' } }));
    await app.runTrayAction({ type: 'disconnect-client', id: 'cursor' });
    expect(state().clients.find((client) => client.id === 'cursor')?.connected).toBe(false);
  });

  it('applies settings: start at login goes to the OS login item, tool groups restart the server', async () => {
    const result = await call('updateSettings', { startAtLogin: true, notifications: { autoArchive: false } });
    expect(result).toMatchObject({ ok: true, value: { startAtLogin: true, notifications: { autoArchive: false, autoStop: true } } });
    expect(desktop.loginItemOn()).toBe(true);
    await app.runTrayAction({ type: 'set-start-at-login', enabled: false });
    expect(desktop.loginItemOn()).toBe(false);
    expect(state().settings.startAtLogin).toBe(false);

    const starts = supervisor.status().server.starts;
    await call('updateSettings', { toolGroups: { git: false } });
    await expect.poll(() => supervisor.status().server.starts, WAIT).toBeGreaterThan(starts);
    await expect.poll(() => state().server.state, WAIT).toBe('running');
    const log = await call('readServerLog', { limit: 5 });
    expect(log.ok && log.value.lines.length).toBeGreaterThan(0);
  });

  it('takes an API key through the contract (checked against the API), and the snapshot shows only its last 4 characters', async () => {
    cloud = await startTestProvider();
    const refused = await call('saveApiKey', { apiKey: 'wrong-key', apiUrl: cloud.provider.apiUrl });
    expect(refused).toMatchObject({ ok: false, error: { code: 'rejected' } });
    expect(state().profile.kind).toBe('local');

    const key = cloud.provider.apiKey;
    const saved = await call('saveApiKey', { apiKey: key, apiUrl: cloud.provider.apiUrl });
    expect(saved).toMatchObject({ ok: true, value: { name: 'cloud', kind: 'cloud', apiUrl: cloud.provider.apiUrl, apiKey: { set: true, suffix: key.slice(-4), source: 'keychain' } } });
    await expect.poll(() => state().watcher.state, WAIT).toBe('running');
    await cloud.daytona.create({ name: 'cloud-box' });
    await expect.poll(() => state().sandboxes.map((view) => view.name), WAIT).toContain('cloud-box');
    await expect.poll(() => state().server.state, WAIT).toBe('running');
    const everything: AppState = state();
    expect(JSON.stringify(everything)).not.toContain(key);
    expect(everything.server.localProvider).toBeUndefined();
    expect(everything.account.state).toBe('signed-out');
    expect(JSON.stringify(await call('readServerLog', {}))).not.toContain(key);

    const removed = await call('removeApiKey', {});
    expect(removed).toMatchObject({ ok: true, value: { name: 'cloud', apiKey: { set: false }, problem: expect.stringContaining('No API key is stored') } });
    expect(trayView(state(), 'linux').icon).toBe('error');
    expect(await call('startSandbox', { id: 'x' })).toMatchObject({ ok: false, error: { code: 'unsupported', message: expect.stringContaining('No API key is stored') } });
  });

  it('stops cleanly: the supervisor reaps the server and the provider', async () => {
    const pids = [supervisor.status().pid].filter((pid): pid is number => pid !== undefined);
    await app.stop();
    expect(supervisor.status().state).toBe('stopped');
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
