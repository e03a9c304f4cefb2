import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cannotWriteLastingEntries } from '../../main/app/build-app.ts';
import { outsideArchive } from '../../main/core/app-paths.ts';
import {
  APPIMAGE_NO_SANDBOX,
  appImageRelaunch,
  bridgeLaunchForThisProcess,
  bridgeOptionsOf,
  bridgeScriptOf,
  resolveBridgeLaunch,
} from '../../main/core/clients/bridge-launch.ts';
import { BRIDGE_LAUNCHER_SOURCE, bridgeLauncherPath, installBridgeLauncher } from '../../main/core/clients/bridge-launcher.ts';
import { launchStaleness } from '../../main/core/clients/stale-launch.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// The paths a packaged app sees in each way it can be run, as Electron reports them (process.execPath, the CLI
// script main/index.ts derives from its own URL) and as the AppImage runtime sets them ($APPIMAGE, $APPDIR).
const MOUNT = '/tmp/.mount_DaytonXa1b2c';
const APPIMAGE = '/home/me/Applications/Daytona-Tray-0.2.0.AppImage';
const DATA = '/home/me/.config/Daytona Tray';
const LAUNCHER = bridgeLauncherPath(DATA);
const DEB = '/opt/Daytona Tray';
const TRANSLOCATED = '/private/var/folders/x5/T/AppTranslocation/0E8A91F4-C14B/d/Daytona Tray.app';
const everything = () => true;

describe('client entries that outlive the app', () => {
  it('AppImage: the entry runs $APPIMAGE on the launcher in the data folder, never a path inside the mount', () => {
    const launch = bridgeLaunchForThisProcess(outsideArchive(`${MOUNT}/resources/app.asar/out/main/cli.js`), undefined, {
      launcher: LAUNCHER,
      proc: { execPath: `${MOUNT}/daytona-tray`, electron: true, env: { APPIMAGE, APPDIR: MOUNT } },
    });
    expect(launch).toEqual({
      command: APPIMAGE,
      args: [LAUNCHER, APPIMAGE_NO_SANDBOX, 'bridge'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    expect(JSON.stringify(launch)).not.toContain('.mount_');
    expect(launchStaleness(launch.command, bridgeScriptOf(launch.args), everything)).toBeUndefined();
    expect(LAUNCHER).toBe(`${DATA}/bin/daytona-tray-cli.cjs`);
  });

  it('AppImage: an entry of ours is still recognised, with its tool groups, and an entry into the mount is stale', () => {
    const args = [LAUNCHER, APPIMAGE_NO_SANDBOX, 'bridge', '--tools', 'files,git'];
    expect(bridgeScriptOf(args)).toBe(LAUNCHER);
    expect(bridgeOptionsOf(args)).toEqual(['--tools', 'files,git']);
    // What versions before this one wrote under an AppImage: the mount's executable and the CLI inside app.asar.
    expect(launchStaleness(`${MOUNT}/daytona-tray`, `${MOUNT}/resources/app.asar/out/main/cli.js`, everything)).toBe('appimage-mount');
    // Someone else's file of the same name, or `--no-sandbox` without our script before it, is not ours.
    expect(bridgeScriptOf(['/x/other.cjs', APPIMAGE_NO_SANDBOX, 'bridge'])).toBeUndefined();
    expect(bridgeScriptOf([APPIMAGE_NO_SANDBOX, 'bridge'])).toBeUndefined();
  });

  it('not an AppImage (deb, or $APPIMAGE left in the environment of another program): the executable and the unpacked CLI', () => {
    const cli = outsideArchive(`${DEB}/resources/app.asar/out/main/cli.js`);
    expect(cli).toBe(`${DEB}/resources/app.asar.unpacked/out/main/cli.js`);
    const launch = bridgeLaunchForThisProcess(cli, undefined, {
      launcher: LAUNCHER,
      proc: { execPath: `${DEB}/daytona-tray`, electron: true, env: { APPIMAGE, APPDIR: MOUNT } },
    });
    expect(launch).toEqual({ command: `${DEB}/daytona-tray`, args: [cli, 'bridge'], env: { ELECTRON_RUN_AS_NODE: '1' } });
    // Plain node (a checkout, npm's CLI) is never taken for an AppImage either.
    const node = bridgeLaunchForThisProcess('/src/out/main/cli.js', undefined, {
      launcher: LAUNCHER,
      proc: { execPath: `${MOUNT}/node`, electron: false, env: { APPIMAGE, APPDIR: MOUNT } },
    });
    expect(node.command).toBe(`${MOUNT}/node`);
  });

  it('moved app: an entry whose program is gone is stale; one whose program is there is left alone', () => {
    const old = [
      '/home/me/Downloads/Daytona Tray/daytona-tray',
      '/home/me/Downloads/Daytona Tray/resources/app.asar.unpacked/out/main/cli.js',
    ];
    const gone = (path: string) => !path.startsWith('/home/me/Downloads/');
    expect(launchStaleness(old[0]!, old[1], gone)).toBe('missing');
    expect(launchStaleness(old[0]!, old[1], everything)).toBeUndefined();
    // A script that is gone while the executable stays (an update that moved the CLI) is stale too.
    expect(launchStaleness(old[0]!, old[1], (path) => path === old[0])).toBe('missing');
  });

  it('updated app: entries of versions that ran the CLI from inside app.asar are stale even though the archive is there', () => {
    expect(launchStaleness(`${DEB}/daytona-tray`, `${DEB}/resources/app.asar/out/main/cli.js`, everything)).toBe('in-archive');
    expect(launchStaleness('C:\\Apps\\Daytona Tray.exe', 'C:\\Apps\\resources\\app.asar\\out\\main\\cli.js', everything)).toBe(
      'in-archive',
    );
    // An AppImage updated under a new file name: the old $APPIMAGE is gone, so the entry is repaired to the new one.
    expect(
      launchStaleness(
        '/home/me/Applications/Daytona-Tray-0.1.0.AppImage',
        LAUNCHER,
        (path) => path !== '/home/me/Applications/Daytona-Tray-0.1.0.AppImage',
      ),
    ).toBe('missing');
  });

  it('translocated (macOS ran the app from Downloads): its entries are stale, and such a run cannot write lasting ones', () => {
    const exe = `${TRANSLOCATED}/Contents/MacOS/Daytona Tray`;
    const cli = outsideArchive(`${TRANSLOCATED}/Contents/Resources/app.asar/out/main/cli.js`);
    expect(launchStaleness(exe, cli, everything)).toBe('translocated');
    const launch = bridgeLaunchForThisProcess(cli, undefined, { launcher: LAUNCHER, proc: { execPath: exe, electron: true, env: {} } });
    expect(cannotWriteLastingEntries(launch)).toMatch(/move it to the Applications folder/);
    // Installed in /Applications: lasting.
    const installed = resolveBridgeLaunch({
      execPath: '/Applications/Daytona Tray.app/Contents/MacOS/Daytona Tray',
      electron: true,
      cliScript: '/Applications/Daytona Tray.app/Contents/Resources/app.asar.unpacked/out/main/cli.js',
    });
    expect(cannotWriteLastingEntries(installed)).toBeUndefined();
  });

  it('AppImage: a program the bridge starts to outlive it (the shared server) starts through the AppImage and the launcher', () => {
    const env = { APPIMAGE, APPDIR: MOUNT, DAYTONA_TRAY_LAUNCHER: LAUNCHER };
    expect(appImageRelaunch(env, `${MOUNT}/daytona-tray`)).toEqual({ command: APPIMAGE, args: [LAUNCHER, APPIMAGE_NO_SANDBOX] });
    // Not through the launcher, not from the mount, or no AppImage: this executable and script start it, as before.
    expect(appImageRelaunch({ APPIMAGE, APPDIR: MOUNT }, `${MOUNT}/daytona-tray`)).toBeUndefined();
    expect(appImageRelaunch(env, '/usr/bin/node')).toBeUndefined();
    expect(appImageRelaunch({ DAYTONA_TRAY_LAUNCHER: LAUNCHER }, `${MOUNT}/daytona-tray`)).toBeUndefined();
    expect(BRIDGE_LAUNCHER_SOURCE).toContain('process.env.DAYTONA_TRAY_LAUNCHER = __filename');
  });

  describe('the launcher file', () => {
    let dir: Awaited<ReturnType<typeof tempDir>>;
    beforeEach(async () => {
      dir = await tempDir('daytona-tray-launcher-');
    });
    afterEach(() => dir.cleanup());

    it('is written once, rewritten when an update changed it (or someone edited it), and left alone when current', async () => {
      const file = bridgeLauncherPath(join(dir.path, 'data'));
      expect(await installBridgeLauncher(file)).toBe(true);
      expect(await readFile(file, 'utf8')).toBe(BRIDGE_LAUNCHER_SOURCE);
      expect(await installBridgeLauncher(file)).toBe(false);
      await writeFile(file, "// an older version's launcher\n");
      expect(await installBridgeLauncher(file)).toBe(true);
      expect(await readFile(file, 'utf8')).toBe(BRIDGE_LAUNCHER_SOURCE);
    });
  });
});
