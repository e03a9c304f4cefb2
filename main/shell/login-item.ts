import { app } from 'electron';
import { createLinuxLoginItem, launchCommand, type LoginItem } from '../app/login-item.ts';

/** Start at login: Electron's login item on macOS and Windows, an XDG autostart entry on Linux. */
export function createLoginItem(): LoginItem {
  if (process.platform === 'linux') {
    return createLinuxLoginItem({
      command: launchCommand({ execPath: process.execPath, packaged: app.isPackaged, appPath: app.getAppPath(), env: process.env }),
    });
  }
  // Windows reads the entry back only when asked with the same path and args it was written with.
  const entry = app.isPackaged ? {} : { path: process.execPath, args: [app.getAppPath()] };
  return {
    enabled: async () => app.getLoginItemSettings(entry).openAtLogin,
    async setEnabled(enabled) {
      app.setLoginItemSettings({ openAtLogin: enabled, ...entry });
    },
  };
}
