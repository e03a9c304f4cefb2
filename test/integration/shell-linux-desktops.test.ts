import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_TRAY_HINT } from '../../main/app/window-mode.ts';
import { ensureBuiltWindow } from '../helpers/built-window.ts';
import { startShellDoubleApp, type ShellDoubleApp } from '../helpers/shell-double-app.ts';
import { skipWhen } from '../helpers/skip.ts';
import { startTestTrayHost, type TestTrayHost } from '../helpers/status-notifier-watcher.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { keyringSkipReason, startTestKeyring, type TestKeyring } from '../helpers/test-keyring.ts';

/**
 * The shell (out/main/index.js on the Electron double) on Linux desktops without a tray or with Wayland: whether
 * a StatusNotifier host is there is asked of a real, private D-Bus session bus, where the test owns the
 * watcher's name or not.
 */
describe('the shell on Linux desktops without a tray, and under Wayland', skipWhen(keyringSkipReason(), 'keyring'), () => {
  let bus: TestKeyring;
  let home: { path: string; cleanup: () => Promise<void> };
  const apps: ShellDoubleApp[] = [];

  const launch = (session: Record<string, string>) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...bus.env,
      ...session,
      HOME: home.path,
      XDG_CONFIG_HOME: join(home.path, 'xdg'),
      DAYTONA_TRAY_HOME: join(home.path, 'data'),
      DAYTONA_TRAY_NO_BWRAP: '1',
    };
    if (!session.WAYLAND_DISPLAY) delete env.WAYLAND_DISPLAY;
    if (!session.XDG_SESSION_TYPE) delete env.XDG_SESSION_TYPE;
    const app = startShellDoubleApp(env);
    apps.push(app);
    return app;
  };
  const quitFromWindowMenu = async (app: ShellDoubleApp) => {
    app.send({ cmd: 'window-menu', item: 'quit' });
    expect(await app.exited).toBe(0);
  };

  beforeAll(async () => {
    ensureBuiltWindow();
    bus = await startTestKeyring({ secretService: false });
    home = await tempDir('daytona-tray-desktops-');
    // Not a first run: the window would open for onboarding whatever the desktop.
    await mkdir(join(home.path, 'data'), { recursive: true });
    await writeFile(join(home.path, 'data', 'settings.json'), '{}\n');
  });
  afterAll(async () => {
    for (const app of apps) app.kill();
    await bus?.stop();
    await home?.cleanup();
  });

  it('no StatusNotifier host: opens a normal window at launch, with the tray menu in its menu bar, and says once how to get the tray', async () => {
    const app = launch({ XDG_SESSION_TYPE: 'x11' });
    await app.waitFor(() => app.seen('window-shown').length > 0 && app.stderr().includes('tray host:'), 'the window to open at launch');
    expect(app.seen('window-created')[0]).toMatchObject({ frame: true, skipTaskbar: false, resizable: true });
    expect(app.seen('window-position')).toEqual([]); // the window manager places it
    await app.waitFor(() => app.seen('notification').length > 0, 'the hint');
    expect(app.seen('notification')).toEqual([expect.objectContaining({ title: NO_TRAY_HINT.title, body: NO_TRAY_HINT.body })]);
    const labels = app
      .seen('window-menu')
      .at(-1)!
      .items.map((item: { label?: string }) => item.label);
    expect(labels).toEqual(expect.arrayContaining(['Daytona Tray', 'Open logs', 'Quit']));
    expect(app.stderr()).toContain('tray host: false; window: normal');
    await quitFromWindowMenu(app);

    // The next launch opens the window again, and does not repeat the hint.
    const again = launch({ XDG_SESSION_TYPE: 'x11' });
    await again.waitFor(() => again.seen('window-shown').length > 0, 'the window to open at the second launch');
    await again.waitFor(() => again.seen('window-menu').length > 0, 'the menu bar');
    // Launching it again from its desktop entry (a second instance) brings the window back.
    const shown = again.seen('window-shown').length;
    again.send({ cmd: 'second-instance' });
    await again.waitFor(() => again.seen('window-shown').length > shown, 'the window to open for the second instance');
    await quitFromWindowMenu(again);
    expect(again.seen('notification')).toEqual([]);
  });

  describe('with a StatusNotifier host on the bus', () => {
    let host: TestTrayHost;
    beforeAll(async () => {
      host = await startTestTrayHost(bus.env.DBUS_SESSION_BUS_ADDRESS);
    });
    afterAll(() => host?.release());

    it('under Wayland: a normal window, not placed as a popover, opened from the tray rather than at launch', async () => {
      const app = launch({ XDG_SESSION_TYPE: 'wayland', WAYLAND_DISPLAY: 'wayland-test' });
      await app.waitFor(
        () => app.seen('tray-menu').length > 0 && app.seen('window-created').length > 0 && app.stderr().includes('tray host:'),
        'the tray menu and the window',
      );
      expect(app.stderr()).toContain('tray host: true; window: normal');
      expect(app.seen('window-created')[0]).toMatchObject({ frame: true, skipTaskbar: false });
      expect(app.seen('window-shown')).toEqual([]);
      expect(app.seen('window-menu')).toEqual([]); // the tray has the menu
      app.send({ cmd: 'menu', item: 'open-window' });
      await app.waitFor(() => app.seen('window-shown').length > 0, 'the window to open from the tray');
      expect(app.seen('window-position')).toEqual([]);
      app.send({ cmd: 'menu', item: 'quit' });
      expect(await app.exited).toBe(0);
    });

    it('under X11: the popover, placed at the tray', async () => {
      const app = launch({ XDG_SESSION_TYPE: 'x11' });
      await app.waitFor(
        () => app.seen('tray-menu').length > 0 && app.seen('window-created').length > 0 && app.stderr().includes('tray host:'),
        'the tray menu and the window',
      );
      expect(app.stderr()).toContain('tray host: true; window: popover');
      expect(app.seen('window-created')[0]).toMatchObject({ frame: false, skipTaskbar: true });
      // An unpackaged run has no updates, and the menu says so.
      const labels = app
        .seen('tray-menu')
        .at(-1)!
        .items.map((item: { label?: string }) => item.label);
      expect(labels).toContain('Updates off: development run (not packaged)');
      app.send({ cmd: 'menu', item: 'open-window' });
      await app.waitFor(() => app.seen('window-position').length > 0, 'the popover to be placed');
      app.send({ cmd: 'menu', item: 'quit' });
      expect(await app.exited).toBe(0);
    });
  });
});
