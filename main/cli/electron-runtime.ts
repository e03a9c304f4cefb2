import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ElectronLaunch = { ok: true; command: string; args: string[] } | { ok: false; reason: string };

/**
 * Whether the desktop app (Electron) can run here, and how to start it: a display (on Linux) and Electron's
 * binary (the app's own executable when packaged, node_modules/electron/dist in a checkout). When not, the
 * reason in a few words, for the one line `daytona-tray app` prints before it runs in the browser instead.
 * Never imports 'electron' itself: in plain Node that throws when the binary is missing.
 */
export function electronLaunch(
  appRoot: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): ElectronLaunch {
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY)
    return { ok: false, reason: 'no display: DISPLAY and WAYLAND_DISPLAY are unset' };
  // Packaged: this CLI runs in node mode under the app's executable, which is the app when started plainly.
  if (process.versions.electron) return { ok: true, command: process.execPath, args: [] };
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(join(appRoot, 'package.json')).resolve('electron/package.json'));
  } catch {
    return { ok: false, reason: 'Electron is not installed (no node_modules/electron)' };
  }
  const pathFile = join(packageDir, 'path.txt');
  const binary = existsSync(pathFile) ? join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : undefined;
  if (!binary || !existsSync(binary))
    return { ok: false, reason: "Electron's binary is not installed (its download during npm install did not happen or was blocked)" };
  return { ok: true, command: binary, args: [appRoot] };
}
