import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ID, TOAST_ACTIVATOR_CLSID } from '../../main/app/app-identity.ts';
import { toastArguments } from '../../main/app/windows-toast.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { startShellDoubleApp, type ShellDoubleApp } from '../helpers/shell-double-app.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const DRIVER = join(REPO_ROOT, 'test', 'fixtures', 'fake-electron', 'toast-driver.mjs');
const OPEN = { type: 'open-window', label: 'Open', target: { view: 'sandboxes', sandboxId: 'sb-1' } };
const RESTART = { type: 'restart-sandbox', sandboxId: 'sb-1', label: 'Restart' };

/** The attribute values of a toast's XML, unescaped as Windows reads them. */
function attributes(xml: string, name: string): string[] {
  const unescape = (text: string) =>
    text
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  return [...xml.matchAll(new RegExp(`\\s${name}="([^"]*)"`, 'g'))].map((match) => unescape(match[1]!));
}

/**
 * The shell's Windows notification parts (notifier + toast activation) on the Electron double: activations
 * arrive as Windows sends them from Action Center, by Notification.handleActivation with the toast's own
 * `launch` or button `arguments` string, whether or not the Notification object still exists.
 */
describe('Windows notifications clicked in Action Center, on the Electron double', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  const apps: ShellDoubleApp[] = [];
  const start = (env: Record<string, string> = {}) => {
    const app = startShellDoubleApp({ ...process.env, APPDATA: join(home.path, 'AppData', 'Roaming'), ...env }, DRIVER);
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    home = await tempDir('daytona-tray-toasts-');
  });
  afterAll(async () => {
    for (const app of apps) app.kill();
    await home?.cleanup();
  });

  it('sets the activator CLSID first, writes each action into the toast, and runs a click or a button once, from handleActivation', async () => {
    const app = start();
    await app.waitFor(() => app.seen('driver-ready').length === 1, 'the driver');
    expect(app.seen('toast-activator')).toEqual([expect.objectContaining({ clsid: TOAST_ACTIVATOR_CLSID })]);
    const order = app.events.map((event) => event.event);
    expect(order.indexOf('toast-activator')).toBeLessThan(order.indexOf('notification'));
    expect(app.seen('activation-handler')).toHaveLength(1);

    const shown = app.seen('notification')[0]!;
    expect(shown.listeners).toEqual({ click: 0, action: 0 }); // handleActivation alone: no double run
    const xml = shown.toastXml as string;
    expect(xml).toContain('<text>Sandbox stopped &lt;unexpectedly&gt; &amp; &quot;fast&quot;</text>');
    const [launch] = attributes(xml, 'launch');
    const buttons = attributes(xml, 'arguments');
    expect(attributes(xml, 'content')).toEqual(['Restart', 'Open']);

    app.send({ cmd: 'toast-activate', type: 'click', arguments: launch });
    app.send({ cmd: 'toast-activate', type: 'action', arguments: buttons[0] });
    app.send({ cmd: 'toast-activate', type: 'click', arguments: 'some-other-app:launch' });
    await app.waitFor(() => app.seen('run-action').length === 2 && app.stderr().includes('did not write'), 'the activations');
    expect(app.seen('run-action').map((event) => event.action)).toEqual([OPEN, RESTART]);
    expect(app.seen('act')).toEqual([]);
    expect(app.seen('shortcut')).toEqual([]); // unpackaged: the Start menu is not touched
  });

  it('runs the click that launched the app (cold start), once the handler is registered', async () => {
    const app = start({ FAKE_ELECTRON_LAUNCH_ACTIVATION: JSON.stringify({ type: 'action', arguments: toastArguments(RESTART as never) }) });
    await app.waitFor(() => app.seen('driver-ready').length === 1, 'the driver');
    expect(app.seen('run-action').map((event) => event.action)).toEqual([RESTART]);
  });

  it('packaged: gives the installer Start menu shortcut the AppUserModelID and the activator CLSID', async () => {
    const programs = join(home.path, 'AppData', 'Roaming', 'Microsoft', 'Windows', 'Start Menu', 'Programs');
    await mkdir(programs, { recursive: true });
    await writeFile(join(programs, 'Daytona Tray.lnk'), 'a shortcut');
    const app = start({ DRIVER_PACKAGED: '1' });
    await app.waitFor(() => app.seen('driver-ready').length === 1, 'the driver');
    expect(app.seen('shortcut')).toEqual([
      {
        event: 'shortcut',
        path: join(programs, 'Daytona Tray.lnk'),
        operation: 'update',
        options: { target: process.execPath, appUserModelId: APP_ID, toastActivatorClsid: TOAST_ACTIVATOR_CLSID },
      },
    ]);
  });
});
