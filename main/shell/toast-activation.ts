import { existsSync } from 'node:fs';
import { app, Notification, shell } from 'electron';
import { TOAST_ACTIVATOR_CLSID } from '../app/app-identity.ts';
import type { NotificationAction } from '../app/notification-view.ts';
import { parseToastArguments, startMenuShortcut } from '../app/windows-toast.ts';

/**
 * Windows: notifications clicked in Action Center, even after the toast's Notification object is gone or the
 * app was restarted (or is launched by the click). The activator CLSID is set before any toast is shown, the
 * installer's Start menu shortcut carries it with the AppUserModelID, and every activation goes through
 * Notification.handleActivation (Electron 45; it replays one that launched the app) to `run`.
 * https://www.electronjs.org/docs/latest/api/notification#notificationhandleactivationcallback-windows
 */
export function setUpToastActivation(options: { run(action: NotificationAction): void; log(line: string): void }): void {
  try {
    app.setToastActivatorCLSID(TOAST_ACTIVATOR_CLSID);
  } catch (error) {
    options.log(`could not set the toast activator: ${(error as Error).message}`);
  }
  const shortcut = app.isPackaged ? startMenuShortcut(process.env, process.execPath) : undefined;
  if (shortcut && existsSync(shortcut.path)) {
    const { path, ...details } = shortcut;
    if (!shell.writeShortcutLink(path, 'update', details)) options.log(`could not add the toast activator to ${path}`);
  }
  Notification.handleActivation((details) => {
    const action = parseToastArguments(details.arguments);
    if (action) options.run(action);
    else options.log(`a notification activation this app did not write was ignored (${details.type})`);
  });
}
