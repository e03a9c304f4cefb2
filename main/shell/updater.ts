import { app } from 'electron';
import electronUpdater from 'electron-updater';
import type { DesktopPort } from '../app/desktop-port.ts';
import { createUpdates, type Updates, type UpdateState } from '../app/updates.ts';

/**
 * Updates from the release feed with electron-updater 6.8.10 (pinned; electron-builder's own updater, which reads
 * the app-update.yml and latest*.yml that electron-builder writes and publishes: https://www.electron.build/auto-update).
 * It picks the installer kind itself: NSIS on Windows, Squirrel.Mac (the zip) on macOS, the AppImage or the deb
 * package on Linux. Off in an unpackaged run: there is no feed configuration and nothing installed to replace.
 */
export function createShellUpdates(options: {
  notify: DesktopPort['notify'];
  onChange(state: UpdateState): void;
  log(line: string): void;
}): Updates {
  const base = { currentVersion: app.getVersion(), notify: options.notify, onChange: options.onChange, log: options.log };
  if (!app.isPackaged) return createUpdates({ ...base, off: 'development run (not packaged)' });
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.logger = {
    info: (message?: unknown) => options.log(`updater: ${String(message)}`),
    warn: (message?: unknown) => options.log(`updater: ${String(message)}`),
    error: (message?: unknown) => options.log(`updater: ${String(message)}`),
    debug: () => {},
  };
  return createUpdates({ ...base, updater: autoUpdater });
}
