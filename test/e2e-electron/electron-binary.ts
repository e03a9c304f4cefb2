import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Electron executable inside an unpacked Electron distribution, per platform (electron's install.js). */
export function executableInDist(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/**
 * Where an Electron binary is, the way the `electron` package finds it (without its download fallback):
 * ELECTRON_OVERRIDE_DIST_PATH, else node_modules/electron/dist after a normal install. When there is none,
 * the reason, for the skip message.
 */
export function findElectronBinary(repoRoot: string, env: NodeJS.ProcessEnv = process.env): { path: string } | { reason: string } {
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const path = join(override, executableInDist());
    return existsSync(path) ? { path } : { reason: `ELECTRON_OVERRIDE_DIST_PATH is set, but ${path} does not exist` };
  }
  const pathFile = join(repoRoot, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      reason:
        'no Electron binary: node_modules/electron was installed without its download (no path.txt; the binary comes from GitHub, which is not reachable here). ' +
        'Run `npx install-electron` on a connected machine, or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron 45',
    };
  }
  const path = join(repoRoot, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(path) ? { path } : { reason: `no Electron binary at ${path}` };
}
