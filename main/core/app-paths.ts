import { homedir } from 'node:os';
import { join } from 'node:path';

export const PRODUCT_NAME = 'Daytona Tray';

/**
 * The app's data directory, the same folder Electron's `app.getPath('userData')` gives for our
 * productName, so the CLI and the tray share state. `DAYTONA_TRAY_HOME` overrides it (tests, portable use).
 */
export function appDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.DAYTONA_TRAY_HOME) return env.DAYTONA_TRAY_HOME;
  switch (platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', PRODUCT_NAME);
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
    default:
      return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), PRODUCT_NAME);
  }
}

/**
 * A path inside app.asar as the same file unpacked beside it (electron-builder.yml's asarUnpack): what the app's
 * node-mode children run, so that their ES modules load from real files, never from the archive. Unchanged
 * outside a packaged app.
 */
export function outsideArchive(path: string): string {
  return path.replace(/\.asar(?=[/\\])/, '.asar.unpacked');
}
