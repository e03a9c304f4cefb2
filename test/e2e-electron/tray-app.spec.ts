import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { readRuntimeFile, runtimeFilePath } from '../../main/core/runtime-file.ts';
import { EVENT_NAMES, METHOD_NAMES, type AppState, type BridgeApi, type Result } from '../../preload/contract.ts';
import { findElectronBinary } from './electron-binary.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const binary = findElectronBinary(REPO_ROOT);
// The local provider's minute, scaled: a sandbox with autoStopInterval 1 stops after 1 s idle.
const MINUTE_MS = 1000;
const WAIT = { timeout: 60_000, intervals: [250] };

/** What the shell showed, recorded in the main process by patching Electron's prototypes (no hook in the app). */
interface Recorded {
  notifications: { title: string; body: string }[];
  tooltips: string[];
  menus: string[][];
}

test.describe('the tray app in Electron', () => {
  test.describe.configure({ mode: 'serial' });
  test.skip(!('path' in binary), 'reason' in binary ? binary.reason : undefined);

  let app: ElectronApplication;
  let popover: Page;
  let home: string;
  const env = () => ({ ...process.env, DAYTONA_TRAY_HOME: home });
  const recorded = () => app.evaluate(() => (globalThis as unknown as { __recorded: Recorded }).__recorded);
  const state = async () => {
    const result = await popover.evaluate(() => (window as unknown as { bridge: BridgeApi }).bridge.getState());
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  };

  test.beforeAll(async () => {
    if (!('path' in binary)) return;
    home = await mkdtemp(join(tmpdir(), 'daytona-tray-electron-'));
    app = await electron.launch({
      executablePath: binary.path,
      // Chromium refuses to run as root without --no-sandbox (CI containers).
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), REPO_ROOT],
      env: { ...env(), DAYTONA_TRAY_LOCAL_MINUTE_MS: String(MINUTE_MS), XDG_CONFIG_HOME: join(home, 'xdg') },
      timeout: 60_000,
    });
    await app.evaluate(({ Notification, Tray }) => {
      const record: Recorded = { notifications: [], tooltips: [], menus: [] };
      (globalThis as unknown as { __recorded: Recorded }).__recorded = record;
      const show = Notification.prototype.show;
      Notification.prototype.show = function (this: Electron.Notification) {
        record.notifications.push({ title: this.title, body: this.body });
        return show.call(this);
      };
      const setToolTip = Tray.prototype.setToolTip;
      Tray.prototype.setToolTip = function (this: Electron.Tray, toolTip: string) {
        record.tooltips.push(toolTip);
        return setToolTip.call(this, toolTip);
      };
      const setContextMenu = Tray.prototype.setContextMenu;
      Tray.prototype.setContextMenu = function (this: Electron.Tray, menu: Electron.Menu | null) {
        record.menus.push(menu ? menu.items.map((item) => item.label) : []);
        return setContextMenu.call(this, menu);
      };
    });
    // First run (an empty data dir): the window opens by itself as the onboarding.
    popover = await app.firstWindow({ timeout: 60_000 });
  });

  test.afterAll(async () => {
    await app?.close().catch(() => {});
    if (home) await rm(home, { recursive: true, force: true });
  });

  test('launches and opens the hardened window at 380×560, with exactly the contract on window.bridge', async () => {
    await popover.waitForLoadState('domcontentloaded');
    expect(popover.url()).toBe('daytona-tray://renderer/index.html');
    const bounds = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.getBounds()));
    expect(bounds).toHaveLength(1);
    expect(bounds[0]).toMatchObject({ width: 380, height: 560 });
    const page = await popover.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys((window as unknown as { bridge: object }).bridge).sort(),
      popup: window.open('https://example.com/') === null,
    }));
    expect(page).toEqual({ require: 'undefined', process: 'undefined', bridge: [...METHOD_NAMES, ...EVENT_NAMES].sort(), popup: true });
    const first: AppState = await state();
    expect(first.firstRun).toBe(true);
    expect(first.profile.kind).toBe('local');
    const refused: Result<unknown> = await popover.evaluate(() =>
      (window as unknown as { bridge: BridgeApi }).bridge.startSandbox({ id: '' }),
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  test("runs the window under its CSP, which the scheme's handler sends as a header: inline script and style are refused", async () => {
    // The policy is not in the page (a CSP meta tag holds back the preload scanner): only the header enforces it.
    const refused = await popover.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.head.append(script);
      const style = document.createElement('style');
      style.textContent = 'body { display: none }';
      document.head.append(style);
      return {
        meta: document.querySelectorAll('meta[http-equiv="Content-Security-Policy" i]').length,
        scriptRan: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true,
        styleApplied: getComputedStyle(document.body).display === 'none',
      };
    });
    expect(refused).toEqual({ meta: 0, scriptRan: false, styleApplied: false });
  });

  test('runs the MCP server and the local provider, and the tray follows a sandbox an agent creates', async () => {
    await expect.poll(async () => (await state()).server.state, WAIT).toBe('running');
    const runtime = await readRuntimeFile(runtimeFilePath(env()));
    expect(runtime).toBeDefined();
    const client = new Client({ name: 'e2e-agent', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(runtime!.url), { requestInit: { headers: { authorization: `Bearer ${runtime!.token}` } } }),
    );
    try {
      const created = await client.callTool({ name: 'create_sandbox', arguments: { name: 'e2e-box', autoStopInterval: 1 } });
      expect(created.isError ?? false).toBe(false);
    } finally {
      await client.close();
    }
    await expect.poll(async () => (await state()).sandboxes.map((sandbox) => sandbox.name), WAIT).toContain('e2e-box');
    // The tray is there and updated from the state: its tooltip counts the running sandbox.
    await expect.poll(async () => (await recorded()).tooltips.some((tip) => / 1 running/.test(tip)), WAIT).toBe(true);
    if (process.platform === 'linux') {
      // Linux gets its menu set explicitly (no clicks there).
      await expect.poll(async () => (await recorded()).menus.flat(), WAIT).toContain('Open Daytona Tray…');
    }
  });

  test('notifies the scripted auto-stop', async () => {
    await expect
      .poll(async () => (await recorded()).notifications.map((notification) => notification.title), WAIT)
      .toContain('Sandbox auto-stopped');
    const notification = (await recorded()).notifications.find((entry) => entry.title === 'Sandbox auto-stopped')!;
    expect(notification.body).toContain('e2e-box');
    await expect.poll(async () => (await state()).sandboxes.find((sandbox) => sandbox.name === 'e2e-box')?.state, WAIT).toBe('stopped');
  });

  test('quits cleanly: the children are reaped and the runtime file removed', async () => {
    const runtime = await readRuntimeFile(runtimeFilePath(env()));
    const closed = app.waitForEvent('close');
    await app.evaluate(({ app: electronApp }) => electronApp.quit());
    await closed;
    expect(await readRuntimeFile(runtimeFilePath(env()))).toBeUndefined();
    // The server wrote its runtime file while the app ran: without it there is no pid to check.
    expect(runtime, 'the MCP server runtime file before quitting').toBeDefined();
    expect(() => process.kill(runtime!.pid, 0)).toThrow();
  });
});
