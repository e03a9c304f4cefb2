import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.ts';
import { makeDataDir } from '../data-dir.ts';
import { BRIDGE_LAUNCHER_NAME } from './bridge-launch.ts';

/**
 * The launcher an AppImage's client entries run: `$APPIMAGE <data folder>/bin/daytona-tray-cli.cjs --no-sandbox
 * bridge`, with ELECTRON_RUN_AS_NODE=1. The AppImage's runtime mounts it afresh and runs its executable on this
 * file, which starts the CLI found beside that executable (unpacked, outside app.asar). So the entry names only
 * paths that outlive the app (the AppImage file, the data folder), and always runs the version that is installed.
 * CommonJS, so that nothing about the folder it sits in decides how Node loads it; generic (no path, no version in
 * it), so rewriting it at every start keeps it right across updates.
 */
export const BRIDGE_LAUNCHER_SOURCE = `'use strict';
// Daytona Tray's command line, for the AI clients' entries of an AppImage. Written by Daytona Tray at every start
// (edits are lost). Run as: <Daytona Tray's executable> <this file> [--no-sandbox] <command> [options], with
// ELECTRON_RUN_AS_NODE=1. It runs the CLI of the app whose executable runs it, from that app's resources folder.
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');

const exe = process.execPath;
const resources = process.platform === 'darwin' ? join(dirname(dirname(exe)), 'Resources') : join(dirname(exe), 'resources');
const cli = join(resources, 'app.asar.unpacked', 'out', 'main', 'cli.js');
const args = process.argv.slice(2);
// electron-builder's AppRun adds --no-sandbox (a Chromium switch) unless an argument is one already: the entry puts
// one right after this file, where node mode leaves it to us.
if (args[0] === '--no-sandbox') args.shift();
process.argv = [process.argv[0], cli, ...args];
// Programs the CLI starts to outlive it (the bridge's shared server) start through this file too: see appImageRelaunch.
process.env.DAYTONA_TRAY_LAUNCHER = __filename;
import(pathToFileURL(cli).href).catch((error) => {
  process.stderr.write('daytona-tray: cannot start ' + cli + ': ' + error.message + '\\n' +
    'Start Daytona Tray once (it repairs its AI client entries), or connect this client again from its window.\\n');
  process.exitCode = 1;
});
`;

/** Where the launcher lives: the app's data folder, which outlives every launch, update and move of the app. */
export function bridgeLauncherPath(dataDir: string): string {
  return join(dataDir, 'bin', BRIDGE_LAUNCHER_NAME);
}

/** Writes the launcher when it is missing or differs (an update changed it); says whether it wrote. */
export async function installBridgeLauncher(file: string): Promise<boolean> {
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing === BRIDGE_LAUNCHER_SOURCE) return false;
  await makeDataDir(dirname(file));
  await writeFileAtomic(file, BRIDGE_LAUNCHER_SOURCE, { mode: 0o644 });
  return true;
}
