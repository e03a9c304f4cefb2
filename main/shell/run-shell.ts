import { app, BrowserWindow } from 'electron';

export interface ShellDeps {
  /** Absolute path of the built renderer's index.html. */
  rendererIndex: string;
  /** Starts the app's services; the returned function stops them (children reaped) at quit. */
  startServices(): Promise<() => Promise<void>>;
  log(line: string): void;
}

/** The Electron side of the app: one instance, a hardened window, clean quit. Kept thin on purpose. */
export function runShell(deps: ShellDeps): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  let stopServices: (() => Promise<void>) | undefined;
  let window: BrowserWindow | undefined;
  const show = () => {
    window ??= new BrowserWindow({
      width: 380,
      height: 560,
      show: false,
      webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false },
    });
    window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    window.webContents.on('will-navigate', (event) => event.preventDefault());
    window.once('ready-to-show', () => window?.show());
    window.on('closed', () => { window = undefined; });
    void window.loadFile(deps.rendererIndex);
  };
  app.on('second-instance', show);
  app.on('window-all-closed', () => { /* a tray app keeps running without windows */ });
  app.on('before-quit', (event) => {
    if (!stopServices) return;
    event.preventDefault();
    const stop = stopServices;
    stopServices = undefined;
    void stop().finally(() => app.quit());
  });
  void app.whenReady().then(async () => {
    app.on('web-contents-created', (_event, contents) => {
      contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    });
    stopServices = await deps.startServices();
    show();
  }).catch((error: unknown) => {
    deps.log(`could not start: ${error instanceof Error ? error.message : String(error)}`);
    app.exit(1);
  });
}
