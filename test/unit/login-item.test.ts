import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { autostartEntry, createLinuxLoginItem, launchCommand, linuxAutostartFile, quoteExecArgument } from '../../main/app/login-item.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('start at login on Linux (XDG autostart)', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.cleanup());

  it('lives under $XDG_CONFIG_HOME/autostart, else ~/.config/autostart', () => {
    expect(linuxAutostartFile({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/u')).toBe('/x/cfg/autostart/daytona-tray.desktop');
    expect(linuxAutostartFile({}, '/home/u')).toBe('/home/u/.config/autostart/daytona-tray.desktop');
  });

  it('writes an entry that runs the app, reads it back as enabled, and removes it', async () => {
    const file = linuxAutostartFile({ XDG_CONFIG_HOME: dir.path });
    const item = createLinuxLoginItem({ file, command: ['/opt/Daytona Tray/daytona-tray'] });
    expect(await item.enabled()).toBe(false);
    await item.setEnabled(true);
    expect(await item.enabled()).toBe(true);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('[Desktop Entry]\nType=Application\n');
    expect(text).toContain('Exec="/opt/Daytona Tray/daytona-tray"\n');
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    await item.setEnabled(false);
    expect(await item.enabled()).toBe(false);
    await item.setEnabled(false); // already gone: no error
  });

  it('treats an entry the user switched off in the desktop settings as disabled', async () => {
    const file = join(dir.path, 'autostart', 'daytona-tray.desktop');
    await mkdir(join(dir.path, 'autostart'));
    await writeFile(file, `${autostartEntry(['/usr/bin/daytona-tray'])}Hidden=true\n`);
    expect(await createLinuxLoginItem({ file, command: [] }).enabled()).toBe(false);
  });

  it('quotes Exec arguments by the Desktop Entry rules', () => {
    expect(quoteExecArgument('/usr/bin/daytona-tray')).toBe('/usr/bin/daytona-tray');
    expect(quoteExecArgument('/home/u/My Apps/tray')).toBe('"/home/u/My Apps/tray"');
    expect(quoteExecArgument('/tmp/a"b$c`d')).toBe('"/tmp/a\\\\"b\\\\$c\\\\`d"');
    expect(quoteExecArgument('/tmp/100%')).toBe('/tmp/100%%');
  });

  it('relaunches the AppImage file, the packaged executable, or electron with the checkout', () => {
    expect(
      launchCommand({
        execPath: '/tmp/.mount_x/daytona-tray',
        packaged: true,
        appPath: '/tmp/.mount_x/resources/app.asar',
        env: { APPIMAGE: '/home/u/Daytona-Tray.AppImage' },
      }),
    ).toEqual(['/home/u/Daytona-Tray.AppImage']);
    expect(
      launchCommand({
        execPath: '/opt/Daytona Tray/daytona-tray',
        packaged: true,
        appPath: '/opt/Daytona Tray/resources/app.asar',
        env: {},
      }),
    ).toEqual(['/opt/Daytona Tray/daytona-tray']);
    expect(launchCommand({ execPath: '/src/node_modules/electron/dist/electron', packaged: false, appPath: '/src', env: {} })).toEqual([
      '/src/node_modules/electron/dist/electron',
      '/src',
    ]);
  });
});
