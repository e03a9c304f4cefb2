import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRuntimeFile, runtimeFilePath } from '../../main/core/runtime-file.ts';
import { EVENT_CHANNELS, METHOD_CHANNELS, type AppState, type Result } from '../../preload/contract.ts';
import { ensureBuiltWindow } from '../helpers/built-window.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { until } from '../helpers/until.ts';
import { skipWhen } from '../helpers/skip.ts';
import { startTestTrayHost, type TestTrayHost } from '../helpers/status-notifier-watcher.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { keyringSkipReason, startTestKeyring, type TestKeyring } from '../helpers/test-keyring.ts';

// The local provider's scaled minute: a sandbox with autoStopInterval 1 stops after this many ms idle.
const MINUTE_MS = 300;
const WAIT = { timeout: 45_000, interval: 50 };
type Event = { event: string } & Record<string, any>;

/** Resolves once `condition` holds; fails with `what` (and the app's stderr) after 45 s. */
async function waitFor(condition: () => boolean, what: () => string): Promise<void> {
  await until('a condition', WAIT.timeout, condition).catch(() => {
    throw new Error(`timed out waiting for ${what()}`);
  });
}

/**
 * The built app (out/main/index.js, the composition root and main/shell) run in plain Node with 'electron'
 * resolved to a typed double (test/fixtures/fake-electron/electron.ts) that records what the shell does and
 * plays the window's part over stdin. Everything else is real: the supervisor's children, the local
 * provider, the watcher, the alert policy, the renderer files served by the daytona-tray:// scheme, and a
 * private D-Bus session bus where a StatusNotifier host is present (an X11 desktop with a tray: the popover).
 */
describe('the shell and composition root, on an Electron double', skipWhen(keyringSkipReason(), 'keyring'), () => {
  let bus: TestKeyring;
  let trayHost: TestTrayHost;
  let home: { path: string; cleanup: () => Promise<void> };
  let app: ChildProcessWithoutNullStreams;
  const events: Event[] = [];
  let stderr = '';
  let exited: Promise<number | null>;
  let nextId = 1;
  const env = () => ({ ...process.env, DAYTONA_TRAY_HOME: join(home.path, 'data') });

  const seen = (name: string) => events.filter((event) => event.event === name);
  const send = (command: Record<string, unknown>) => app.stdin.write(`${JSON.stringify(command)}\n`);
  async function invoke<T>(method: keyof typeof METHOD_CHANNELS, payload?: unknown, foreign = false): Promise<Result<T>> {
    const id = nextId++;
    send({ id, cmd: 'invoke', channel: METHOD_CHANNELS[method], payload, foreign });
    await waitFor(
      () => seen('invoke-result').some((event) => event.id === id),
      () => `the answer to ${method}; stderr: ${stderr}`,
    );
    return seen('invoke-result').find((event) => event.id === id)!.result as Result<T>;
  }
  const state = async () => {
    const result = await invoke<AppState>('getState');
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  };

  beforeAll(async () => {
    ensureBuiltWindow();
    home = await tempDir('daytona-tray-shell-');
    bus = await startTestKeyring({ secretService: false });
    trayHost = await startTestTrayHost(bus.env.DBUS_SESSION_BUS_ADDRESS);
    const desktop: NodeJS.ProcessEnv = { ...env(), ...bus.env, XDG_SESSION_TYPE: 'x11' };
    delete desktop.WAYLAND_DISPLAY;
    app = spawn(
      process.execPath,
      ['--import', join(REPO_ROOT, 'test', 'fixtures', 'fake-electron', 'register.mjs'), join(REPO_ROOT, 'out', 'main', 'index.js')],
      {
        cwd: REPO_ROOT,
        env: {
          ...desktop,
          HOME: home.path,
          XDG_CONFIG_HOME: join(home.path, 'xdg'),
          DAYTONA_TRAY_LOCAL_MINUTE_MS: String(MINUTE_MS),
          DAYTONA_TRAY_NO_BWRAP: '1',
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let partial = '';
    app.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as Event);
    });
    app.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    exited = new Promise((resolve) => app.once('exit', (code) => resolve(code)));
    await waitFor(
      () => seen('window-loaded').length === 1,
      () => `the window to load; stderr: ${stderr}`,
    );
  });

  afterAll(async () => {
    if (app && app.exitCode === null) app.kill('SIGKILL');
    trayHost?.release();
    await bus?.stop();
    await home?.cleanup();
  });

  it('starts hardened: privileged renderer scheme, renderer sandbox, isolated window, navigation, popups and permissions denied', () => {
    expect(seen('app-name')[0]).toMatchObject({ name: 'Daytona Tray' });
    expect(seen('privileged-schemes')[0]!.schemes).toEqual([
      { scheme: 'daytona-tray', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
    ]);
    expect(seen('sandbox-enabled')).toHaveLength(1);
    expect(seen('permission-request-handler')[0]).toMatchObject({ deniesMedia: true });
    expect(seen('permission-check-handler')[0]).toMatchObject({ grantsAnything: false });
    const window = seen('window-created')[0]!;
    expect(window).toMatchObject({
      width: 380,
      height: 560,
      webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false },
    });
    expect(window.security).toEqual({ navigationPrevented: true, windowOpen: 'deny' });
    expect(stderr).toContain('blocked navigation to https://evil.example/');
  });

  it('serves the built window from daytona-tray://renderer/ with its scripts, and the sandboxed preload exists', () => {
    const loaded = seen('window-loaded')[0]!;
    expect(loaded).toMatchObject({
      url: 'daytona-tray://renderer/index.html',
      status: 200,
      type: 'text/html; charset=utf-8',
      preloadExists: true,
    });
    expect(loaded.assets.length).toBeGreaterThan(0);
    for (const asset of loaded.assets) expect(asset.status, asset.url).toBe(200);
    expect(loaded.assets.some((asset: { type: string }) => asset.type === 'text/javascript; charset=utf-8')).toBe(true);
  });

  it('shows the tray with a real icon and an explicit Linux menu, and opens the onboarding window on first run', async () => {
    const image = seen('tray-created')[0]!.image as string;
    expect(image).toMatch(/resources\/tray\/tray-idle\.png$/);
    expect(existsSync(image)).toBe(true);
    await expect
      .poll(
        () =>
          seen('tray-menu')
            .at(-1)
            ?.items.map((item: { label?: string }) => item.label),
        WAIT,
      )
      .toContain('Open Daytona Tray…');
    expect(seen('window-shown').length).toBeGreaterThan(0);
    expect(seen('window-position')[0]).toEqual({ event: 'window-position', x: 1920 - 380 - 4, y: 32 + 4 });
    expect(await state()).toMatchObject({ firstRun: true, profile: { name: 'local', kind: 'local' } });
  });

  it('answers the window through the IPC registry: a foreign sender and a bad payload are refused', async () => {
    expect(await invoke('startSandbox', { id: 'x' }, true)).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringContaining('did not come from the Daytona Tray window') },
    });
    expect(await invoke('startSandbox', { id: 42 })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it("opens Electron's folder picker for the transfer folder, at the current one, and answers with the folder picked", async () => {
    const state = await invoke<AppState>('getState');
    const current = state.ok ? state.value.settings.transferFolder.path : '';
    expect(state.ok && state.value.app.unavailable).not.toContain('folder-picker');
    expect(await invoke('pickTransferFolder')).toEqual({ ok: true, value: { path: `${current}/picked` } });
    expect(seen('open-dialog').at(-1)).toMatchObject({ defaultPath: current, properties: ['openDirectory', 'createDirectory'] });
  });

  it('runs the MCP server on the local provider, follows a sandbox an agent creates, and notifies its auto-stop', async () => {
    await expect.poll(async () => (await state()).server.state, WAIT).toBe('running');
    await expect.poll(() => seen('tray-tooltip').at(-1)?.toolTip, WAIT).toMatch(/MCP server running on port \d+/);
    const runtime = await readRuntimeFile(runtimeFilePath(env()));
    expect(runtime).toBeDefined();
    const client = new Client({ name: 'test-agent', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(runtime!.url), { requestInit: { headers: { authorization: `Bearer ${runtime!.token}` } } }),
    );
    try {
      const created = await client.callTool({ name: 'create_sandbox', arguments: { name: 'agent-box', autoStopInterval: 1 } });
      expect(created.isError ?? false).toBe(false);
    } finally {
      await client.close();
    }
    await expect.poll(() => seen('tray-tooltip').some((event) => / 1 running /.test(event.toolTip)), WAIT).toBe(true);
    expect(seen('tray-image').map((event) => event.image)).toContainEqual(expect.stringMatching(/tray-active\.png$/));
    await expect.poll(() => seen('notification').map((event) => event.title), WAIT).toContain('Sandbox auto-stopped');
    const notification = seen('notification').find((event) => event.title === 'Sandbox auto-stopped')!;
    expect(notification.body).toContain('agent-box');
    expect(notification.actions).toEqual([]); // Linux: no buttons; a click opens the window
    await expect.poll(() => seen('tray-image').at(-1)?.image, WAIT).toMatch(/tray-idle\.png$/);

    // A click shows the window and asks it for the Sandboxes view at that sandbox.
    const id = (await state()).sandboxes.find((sandbox) => sandbox.name === 'agent-box')!.id;
    const shown = seen('window-shown').length;
    send({ cmd: 'notification-click', title: 'Sandbox auto-stopped' });
    await expect.poll(() => seen('window-shown').length, WAIT).toBe(shown + 1);
    await expect
      .poll(
        () =>
          seen('send')
            .filter((event) => event.channel === EVENT_CHANNELS.onShowView)
            .at(-1)?.payload,
        WAIT,
      )
      .toEqual({ view: 'sandboxes', sandboxId: id });
  });

  it('runs tray menu items: open the window, start at login (an XDG autostart entry on Linux)', async () => {
    const shown = seen('window-shown').length;
    send({ cmd: 'menu', item: 'open-window' });
    await expect.poll(() => seen('window-shown').length, WAIT).toBe(shown + 1);
    send({ cmd: 'menu', item: 'start-at-login' });
    const autostart = join(home.path, 'xdg', 'autostart', 'daytona-tray.desktop');
    await expect.poll(() => existsSync(autostart), WAIT).toBe(true);
    expect(readFileSync(autostart, 'utf8')).toContain(`Exec=${process.execPath} ${REPO_ROOT.replace(/\/$/, '')}`);
    await expect.poll(async () => (await state()).settings.startAtLogin, WAIT).toBe(true);
  });

  it('quits from the tray menu: the services stop first, the MCP server is reaped and its runtime file removed', async () => {
    const runtime = await readRuntimeFile(runtimeFilePath(env()));
    send({ cmd: 'menu', item: 'quit' });
    expect(await exited).toBe(0);
    expect(seen('tray-destroyed')).toHaveLength(1);
    expect(seen('quit')).toHaveLength(1);
    expect(await readRuntimeFile(runtimeFilePath(env()))).toBeUndefined();
    expect(() => process.kill(runtime!.pid, 0)).toThrow();
    expect(stderr).not.toMatch(/could not start|failed:/);
  });
});
