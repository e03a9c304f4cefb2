import { join } from 'node:path';
import { app, clipboard, dialog, Menu, powerMonitor, protocol, shell } from 'electron';
import { appDataDir, PRODUCT_NAME } from '../core/app-paths.ts';
import { statusNotifierHostPresent } from '../core/desktop/tray-host.ts';
import { registerBridgeHandlers, trustedSender } from '../app/ipc-registry.ts';
import type { DesktopPort } from '../app/desktop-port.ts';
import { RENDERER_SCHEME, RENDERER_URL, serveRendererRequest } from '../app/renderer-protocol.ts';
import type { TrayApp } from '../app/tray-app.ts';
import type { NotificationAction } from '../app/notification-view.ts';
import { trayView, type TrayMenuAction, type TrayView } from '../app/tray-menu.ts';
import { sayOnce, windowMode } from '../app/window-mode.ts';
import { electronIpcPort } from './ipc.ts';
import { createApplicationsFolder } from './applications-folder.ts';
import { createLoginItem } from './login-item.ts';
import { createNotifier, notifyPlain } from './notifier.ts';
import { hardenWebContents } from './security.ts';
import { setUpToastActivation } from './toast-activation.ts';
import { createShellUpdates } from './updater.ts';
import { createTray, template, type ShellTray } from './tray.ts';
import { createMainWindow, type ShellWindow } from './window.ts';

export interface ShellOptions {
  /** The installer's appId: Windows toasts need the same AppUserModelID (https://www.electronjs.org/docs/latest/tutorial/notifications#windows). */
  appId: string;
  /** out/renderer: the built window. */
  rendererDir: string;
  /** out/preload/index.cjs: the sandboxed preload. */
  preload: string;
  /** resources/tray: the tray icons. */
  iconsDir: string;
  /** resources/icon.png: the app icon, for notifications. */
  appIcon: string;
  log(line: string): void;
  /** The log file, named to the user when the app cannot start (a packaged app has no visible stderr). */
  logPath: string;
  /** Builds and starts the app once Electron is ready (plain TypeScript: main/index.ts wires it). */
  startApp(desktop: DesktopPort): Promise<TrayApp>;
  /** Longest wait at quit for the services to stop (children reaped) before exiting anyway. Default 15 s. */
  stopTimeoutMs?: number;
}

/**
 * The Electron side of the app, and the only place that talks to Electron: one instance, no Dock icon, a
 * tray, a hardened popover window, notifications, the IPC registry, and a quit that waits for the services
 * (the supervisor stops its children) before the process exits. Everything it shows comes from TrayApp.
 */
export function runShell(options: ShellOptions): void {
  const { log } = options;
  app.setName(PRODUCT_NAME); // userData = the data dir the CLI uses (main/core/app-paths.ts)
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  if (process.platform === 'win32') app.setAppUserModelId(options.appId);
  // Privileged before ready: the window's pages come from daytona-tray://renderer/, not file://. Module scripts
  // are fetched in CORS mode, which Chromium allows only on CORS-enabled schemes.
  protocol.registerSchemesAsPrivileged([
    { scheme: RENDERER_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
  app.enableSandbox();
  hardenWebContents(log);

  let trayApp: TrayApp | undefined;
  let window: ShellWindow | undefined;
  let tray: ShellTray | undefined;
  let pendingShow = false;
  let quitting = false;
  let stopped = false;

  const report = (what: string) => (error: unknown) => log(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  const showWindow = (target?: Parameters<ShellWindow['show']>[0]) => {
    if (window) window.show(target);
    else pendingShow = true;
  };

  app.on('second-instance', () => showWindow());
  // macOS: opening the running app again (Finder, Spotlight, the Dock) fires `activate`, not `second-instance`.
  app.on('activate', () => showWindow());
  app.on('window-all-closed', () => {
    // A tray app keeps running without windows.
  });
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    window?.allowClose();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.stopTimeoutMs ?? 15_000).unref());
    void Promise.race([trayApp?.stop() ?? Promise.resolve(), timeout])
      .catch(report('stopping the services'))
      .finally(() => {
        stopped = true;
        tray?.destroy();
        app.quit();
      });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  app
    .whenReady()
    .then(async () => {
      // LSUIElement keeps a packaged app out of the Dock from launch; a development run hides it here.
      if (process.platform === 'darwin' && !app.isPackaged) app.dock?.hide();
      protocol.handle(RENDERER_SCHEME, (request) => serveRendererRequest(request.url, options.rendererDir));
      // Windows: a notification clicked in Action Center (maybe the click that launched the app) runs once the app is up.
      const activations: NotificationAction[] = [];
      const runActivation = (action: NotificationAction) => {
        if (trayApp) void trayApp.runAlertAction(action).catch(report(`the notification action ${action.type}`));
        else activations.push(action);
      };
      if (process.platform === 'win32') setUpToastActivation({ run: runActivation, log });

      const notify = createNotifier({ icon: options.appIcon, log });
      // "Check for updates…": its progress shows in the tray menu, redrawn on each change.
      let redrawMenus = () => {};
      const updates = createShellUpdates({ notify, onChange: () => redrawMenus(), log });
      const desktop: DesktopPort = {
        platform: process.platform,
        version: app.getVersion(),
        loginItem: createLoginItem(),
        notify,
        updates,
        openExternal: (url) => shell.openExternal(url),
        copyText: (text) => clipboard.writeText(text),
        async openPath(path) {
          const problem = await shell.openPath(path); // resolves with an error message, '' on success
          if (problem) throw new Error(`Could not open ${path}: ${problem}`);
        },
        async pickFolder({ title, defaultPath }) {
          const picked = await dialog.showOpenDialog({ title, defaultPath, properties: ['openDirectory', 'createDirectory'] });
          return picked.canceled ? undefined : picked.filePaths[0];
        },
        showWindow,
        quit: () => app.quit(),
        applicationsFolder: createApplicationsFolder(),
      };
      const started = await options.startApp(desktop);
      trayApp = started;
      for (const action of activations.splice(0)) runActivation(action);

      const runAction = (action: TrayMenuAction) => void started.runTrayAction(action).catch(report(`the menu action ${action.type}`));
      // Linux: is there a panel to show the tray icon (GNOME has none without an extension), and can the window place itself (not under Wayland)?
      const trayHost = process.platform === 'linux' ? await statusNotifierHostPresent() : true;
      const mode = windowMode({ platform: process.platform, env: process.env, argv: process.argv, trayHost });
      if (process.platform === 'linux') log(`tray host: ${trayHost ?? 'unknown'}; window: ${mode.kind}`);
      tray = createTray({
        iconsDir: options.iconsDir,
        initial: trayView(started.state(), process.platform, updates.menuItem()),
        onAction: runAction,
        onClick: () => window?.toggle(),
      });
      const created = createMainWindow({
        kind: mode.kind,
        url: RENDERER_URL,
        preload: options.preload,
        trayBounds: () => tray!.bounds(),
        onVisibility: (visible) => started.windowVisible(visible),
        log,
      });
      window = created;
      registerBridgeHandlers(electronIpcPort, started.handlers, {
        isTrusted: trustedSender({ webContentsId: () => created.webContentsId(), rendererUrl: RENDERER_URL }),
        log,
      });
      // Where no tray is shown, the window's menu bar carries the tray's menu (Open logs, Quit…).
      let menuBar = '';
      const updateMenuBar = (view: TrayView) => {
        const key = JSON.stringify(view.menu);
        if (!mode.openAtLaunch || key === menuBar) return;
        menuBar = key;
        created.setMenu(Menu.buildFromTemplate([{ label: PRODUCT_NAME, submenu: template(view.menu, runAction) }]));
      };
      redrawMenus = () => {
        const view = trayView(started.state(), process.platform, updates.menuItem());
        tray?.update(view);
        updateMenuBar(view);
      };
      redrawMenus();
      started.onState((state) => {
        redrawMenus();
        created.sendState(state);
      });
      created.sendState(started.state());
      powerMonitor.on('resume', () => started.wake());
      // First run: the window is the onboarding, so open it; later runs start quietly in the tray.
      // Without a tray icon, the window is the way in: open it at every launch, and say once how to get the tray.
      if (pendingShow || started.state().firstRun || mode.openAtLaunch) created.show();
      const hint = mode.noTrayHint;
      if (hint) {
        await sayOnce(join(appDataDir(), 'no-tray-hint-shown'), () => notifyPlain({ ...hint, icon: options.appIcon, log })).catch(
          report('remembering the no-tray hint'),
        );
      }
    })
    .catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      log(`could not start: ${message}`);
      dialog.showErrorBox('Daytona Tray could not start', `${message}\n\nThe log has the details: ${options.logPath}`);
      app.exit(1);
    });
}
