import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trayView } from '../../main/app/tray-menu.ts';
import { settingsTransferFolder } from '../../main/mcp/transfer-folder.ts';
import { SignInError } from '../../main/core/auth/loopback-callback.ts';
import { readLoginTokens, writeLoginTokens } from '../../main/core/secrets/profile-secrets.ts';
import type { AppState } from '../../preload/contract.ts';
import { startTestApp, type TestApp } from '../helpers/app-harness.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

// The supervised provider's scaled minute: a sandbox with auto-stop 1 stops after this many ms idle.
const MINUTE_MS = 400;
const WAIT = { timeout: 45_000, interval: 50 };
const SIGNED_IN_UNTIL = '2099-01-01T00:00:00.000Z';

/**
 * The app behind the tray and the window, as buildApp builds it for a shell, in Node, on real parts: the
 * supervisor runs the built CLI's MCP server and local provider as children, the watcher and alert policy
 * follow the provider, client setup writes real files in a temp HOME. Only the desktop is a recording double.
 */
describe('tray app on the local provider', () => {
  let test: TestApp;
  let cloud: TestProvider;

  const state = () => test.state();
  const call: TestApp['call'] = (...args) => test.call(...args);

  /** A stand-in for the browser sign-in: waits until the test finishes it (or it is cancelled), then stores tokens as the real one does. */
  const signInGate = { pending: false, finish: () => {} };
  const signIn: NonNullable<Parameters<typeof startTestApp>[0]['signIn']> = async ({ profile, signal }) => {
    signInGate.pending = true;
    try {
      await new Promise<void>((resolve, reject) => {
        signInGate.finish = resolve;
        signal.addEventListener('abort', () => reject(new SignInError('cancelled', 'Sign-in was cancelled.')), { once: true });
      });
    } finally {
      signInGate.pending = false;
    }
    await writeLoginTokens(test.secrets, profile, {
      accessToken: 'user-access-token',
      refreshToken: 'user-refresh-token',
      expiresAt: SIGNED_IN_UNTIL,
      organizationId: 'org-1',
    });
  };

  beforeAll(async () => {
    // macOS: notifications there have buttons.
    test = await startTestApp({ platform: 'darwin', minuteMs: MINUTE_MS, alerts: { coalesceMs: 100 }, signIn });
  });

  afterAll(async () => {
    await test?.cleanup();
    await cloud?.stop();
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
    expect(trayView(current, 'linux').menu).toContainEqual(
      expect.objectContaining({ id: 'server-status', label: `MCP server running on port ${current.server.port}` }),
    );

    const chosen = await call('useLocalProvider');
    expect(chosen).toMatchObject({ ok: true, value: { name: 'local', kind: 'local' } });
    expect(state().firstRun).toBe(false);
  });

  it('shows a sandbox created elsewhere, notifies its auto-stop with a Restart action, and restarts it from there', async () => {
    const daytona = test.localDaytona();
    try {
      const sandbox = await daytona.create({ name: 'agent-box', autoStopInterval: 1 });
      await expect.poll(() => state().sandboxes.find((view) => view.id === sandbox.id)?.state, WAIT).toBe('started');
      const view = state().sandboxes.find((entry) => entry.id === sandbox.id)!;
      expect(view).toMatchObject({ name: 'agent-box', autoStopInterval: 1, notIsolated: true });
      expect(Date.parse(view.autoStopAt!)).toBeGreaterThan(Date.parse(view.lastActivityAt!));
      expect(trayView(state(), 'linux').icon).toBe('active');

      const autoStop = () =>
        test.desktop.notifications.find(({ spec }) => spec.groupId === 'daytona-tray.auto-stop' && spec.body.includes('agent-box'));
      await expect.poll(autoStop, WAIT).toBeTruthy();
      const notification = autoStop()!;
      expect(notification.spec).toMatchObject({
        title: 'Sandbox auto-stopped',
        view: 'sandboxes',
        buttons: [{ label: 'Restart', action: { type: 'restart-sandbox', sandboxId: sandbox.id } }],
      });
      await expect.poll(() => state().sandboxes.find((entry) => entry.id === sandbox.id)?.state, WAIT).toBe('stopped');

      notification.press('Restart');
      await expect.poll(() => state().sandboxes.find((entry) => entry.id === sandbox.id)?.state, WAIT).toBe('started');
      // The click opens the window at the Sandboxes view, at this sandbox.
      const shown = test.desktop.shown.length;
      notification.click();
      expect(test.desktop.shown.slice(shown)).toEqual([{ view: 'sandboxes', sandboxId: sandbox.id }]);
    } finally {
      await daytona[Symbol.asyncDispose]();
    }
  });

  it('stops, starts and deletes through the contract; a stop asked for here raises no auto-stop alert', async () => {
    const daytona = test.localDaytona();
    let id: string;
    try {
      id = (await daytona.create({ name: 'window-box', autoStopInterval: 0 })).id;
    } finally {
      await daytona[Symbol.asyncDispose]();
    }
    await expect.poll(() => state().sandboxes.some((view) => view.id === id), WAIT).toBe(true);
    const before = test.desktop.notifications.length;
    expect(await call('stopSandbox', { id })).toEqual({ ok: true, value: undefined });
    await expect.poll(() => state().sandboxes.find((view) => view.id === id)?.state, WAIT).toBe('stopped');
    expect(await call('startSandbox', { id })).toEqual({ ok: true, value: undefined });
    await expect.poll(() => state().sandboxes.find((view) => view.id === id)?.state, WAIT).toBe('started');
    const preview = await call('openPreview', { id, port: 3000 });
    // A signed URL of the local provider's preview proxy: the token stands in for the sandbox id.
    expect(preview).toMatchObject({ ok: true, value: { url: expect.stringMatching(/^http:\/\/3000-[0-9a-f]{32}\.localhost:\d+$/) } });
    expect(test.desktop.opened.at(-1)).toBe(preview.ok ? preview.value.url : '');
    expect(await call('copyText', { text: id })).toEqual({ ok: true, value: undefined });
    expect(test.desktop.copied).toEqual([id]);
    expect(await call('deleteSandbox', { id })).toEqual({ ok: true, value: undefined });
    await expect.poll(() => state().sandboxes.some((view) => view.id === id), WAIT).toBe(false);
    // The stop and the delete were ours: no auto-stop or auto-delete alert about this sandbox.
    expect(test.desktop.notifications.slice(before).filter(({ spec }) => spec.body.includes('window-box'))).toEqual([]);
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
    expect(trayView(state(), 'linux').menu).toContainEqual(
      expect.objectContaining({ id: 'client-cursor', checked: true, action: { type: 'disconnect-client', id: 'cursor' } }),
    );
    await test.app.runTrayAction({ type: 'disconnect-client', id: 'cursor' });
    expect(state().clients.find((client) => client.id === 'cursor')?.connected).toBe(false);
  });

  it('applies settings: start at login goes to the OS login item, tool groups restart the server', async () => {
    const result = await call('updateSettings', { startAtLogin: true, notifications: { autoArchive: false } });
    expect(result).toMatchObject({ ok: true, value: { startAtLogin: true, notifications: { autoArchive: false, autoStop: true } } });
    expect(test.desktop.loginItemOn()).toBe(true);
    await test.app.runTrayAction({ type: 'set-start-at-login', enabled: false });
    expect(test.desktop.loginItemOn()).toBe(false);
    expect(state().settings.startAtLogin).toBe(false);

    const starts = test.supervisor.status().server.starts;
    await call('updateSettings', { toolGroups: { git: false } });
    await expect.poll(() => test.supervisor.status().server.starts, WAIT).toBeGreaterThan(starts);
    await expect.poll(() => state().server.state, WAIT).toBe('running');
    const log = await call('readServerLog', { limit: 5 });
    expect(log.ok && log.value.lines.length).toBeGreaterThan(0);

    // The shared server's grace period is read from the settings file by the next shared server that starts.
    expect(state().settings.sharedGraceMinutes).toBe(10);
    expect(await call('updateSettings', { sharedGraceMinutes: 30 })).toMatchObject({ ok: true, value: { sharedGraceMinutes: 30 } });
    expect((await test.settings.load()).settings.mcp.sharedGraceMinutes).toBe(30);
    expect(await call('updateSettings', { sharedGraceMinutes: 2000 })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('the warm pool size: saved for the next start; a provider without bubblewrap (this harness) says it cannot keep one', async () => {
    expect(state().settings.warmPoolSize).toBe(2);
    expect(await call('updateSettings', { warmPoolSize: 0 })).toMatchObject({ ok: true, value: { warmPoolSize: 0 } });
    expect((await test.settings.load()).settings.profiles.local).toMatchObject({ kind: 'local', warmPoolSize: 0 });
    const refused = await call('updateSettings', { warmPoolSize: 3 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'failed' } });
    expect(!refused.ok && refused.error.message).toMatch(
      /^Saved, but the running local provider did not take it \(.*Warm pools need bubblewrap/,
    );
    expect((await test.settings.load()).settings.profiles.local).toMatchObject({ warmPoolSize: 3 });
    expect(state().settings.warmPoolSize).toBe(3);
    expect(await call('updateSettings', { warmPoolSize: 11 })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('the transfer folder: shown, checked, changed (typed or picked) and reset through the contract; the MCP tools read it from settings', async () => {
    const defaultFolder = join(homedir(), 'Downloads', 'Daytona');
    expect(state().settings.transferFolder).toEqual({ path: defaultFolder, chosen: false });

    const file = join(test.home, 'a-file');
    await writeFile(file, 'x');
    const refusals: [string, string][] = [
      ['exchange', 'is not a full path'],
      [file, 'is a file, not a folder'],
      [homedir(), 'holds your home folder'],
      ['/', 'holds your home folder'],
    ];
    for (const [typed, reason] of refusals) {
      const refused = await call('updateSettings', { transferFolder: typed, mcpPort: 1 });
      expect(refused).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringContaining(reason) } });
    }
    expect(state().settings).toMatchObject({ mcpPort: 0, transferFolder: { path: defaultFolder, chosen: false } }); // nothing changed

    const typed = join(test.home, 'exchange', '..', 'exchange');
    const saved = await call('updateSettings', { transferFolder: typed });
    expect(saved).toMatchObject({ ok: true, value: { transferFolder: { path: join(test.home, 'exchange'), chosen: true } } });
    expect(await settingsTransferFolder(test.settings)()).toBe(join(test.home, 'exchange'));

    test.desktop.pickedFolder = join(test.home, 'picked');
    expect(await call('pickTransferFolder')).toEqual({ ok: true, value: { path: join(test.home, 'picked') } });
    expect(test.desktop.pickers.at(-1)).toMatchObject({ defaultPath: join(test.home, 'exchange') });
    test.desktop.pickedFolder = undefined;
    expect(await call('pickTransferFolder')).toEqual({ ok: true, value: {} });
    expect(state().settings.transferFolder.path).toBe(join(test.home, 'exchange')); // picking saves nothing

    await call('updateSettings', { transferFolder: null });
    expect(state().settings.transferFolder).toEqual({ path: defaultFolder, chosen: false });
    expect(await settingsTransferFolder(test.settings)()).toBe(defaultFolder);
  });

  it('takes an API key through the contract (checked against the API), and the snapshot shows only its last 4 characters', async () => {
    cloud = await startTestProvider();
    const refused = await call('saveApiKey', { apiKey: 'wrong-key', apiUrl: cloud.provider.apiUrl });
    expect(refused).toMatchObject({ ok: false, error: { code: 'rejected' } });
    expect(state().profile.kind).toBe('local');

    const key = cloud.provider.apiKey;
    const saved = await call('saveApiKey', { apiKey: key, apiUrl: cloud.provider.apiUrl });
    expect(saved).toMatchObject({
      ok: true,
      value: {
        name: 'cloud',
        kind: 'cloud',
        apiUrl: cloud.provider.apiUrl,
        apiKey: { set: true, suffix: key.slice(-4), source: 'keychain' },
      },
    });
    await expect.poll(() => state().watcher.state, WAIT).toBe('running');
    await cloud.daytona.create({ name: 'cloud-box' });
    await expect.poll(() => state().sandboxes.map((view) => view.name), WAIT).toContain('cloud-box');
    // The server restarts on the cloud profile: running, and no longer the one with the local provider in it.
    await expect
      .poll(() => ({ state: state().server.state, local: state().server.localProvider }), WAIT)
      .toEqual({
        state: 'running',
        local: undefined,
      });
    const everything: AppState = state();
    expect(JSON.stringify(everything)).not.toContain(key);
    expect(everything.account.state).toBe('signed-out');
    expect(JSON.stringify(await call('readServerLog', {}))).not.toContain(key);
  });

  it('signs in to the cloud profile (one sign-in at a time, cancellable), then out: the account follows the keychain', async () => {
    const first = call('signIn');
    await expect.poll(() => state().account.state, WAIT).toBe('signing-in');
    expect(await call('signIn')).toMatchObject({ ok: false, error: { code: 'busy' } });
    expect(await call('cancelSignIn')).toEqual({ ok: true, value: undefined });
    expect(await first).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(state().account.state).toBe('signed-out');

    const second = call('signIn');
    await expect.poll(() => signInGate.pending, WAIT).toBe(true);
    signInGate.finish();
    expect(await second).toEqual({ ok: true, value: { state: 'signed-in', organizationId: 'org-1', expiresAt: SIGNED_IN_UNTIL } });
    await expect.poll(() => state().account, WAIT).toEqual({ state: 'signed-in', organizationId: 'org-1', expiresAt: SIGNED_IN_UNTIL });

    expect(await call('signOut')).toEqual({ ok: true, value: { state: 'signed-out' } });
    expect(await readLoginTokens(test.secrets, 'cloud')).toBeNull();
  });

  it('removes the API key: the profile stays, unusable, and says why', async () => {
    const removed = await call('removeApiKey', {});
    expect(removed).toMatchObject({
      ok: true,
      value: { name: 'cloud', apiKey: { set: false }, problem: expect.stringContaining('No API key is stored') },
    });
    expect(trayView(state(), 'linux').icon).toBe('error');
    expect(await call('startSandbox', { id: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'unsupported', message: expect.stringContaining('No API key is stored') },
    });
  });

  it('stops cleanly: the supervisor reaps the server and the provider', async () => {
    const pid = test.supervisor.status().pid;
    expect(pid).toBeGreaterThan(0);
    await test.app.stop();
    expect(test.supervisor.status().state).toBe('stopped');
    expect(() => process.kill(pid!, 0)).toThrow();
  });
});
