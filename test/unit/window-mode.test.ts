import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_TRAY_HINT, runsOnWayland, sayOnce, windowMode } from '../../main/app/window-mode.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const x11 = { XDG_SESSION_TYPE: 'x11', DISPLAY: ':0' };
const wayland = { XDG_SESSION_TYPE: 'wayland', WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' };

describe('how the window shows on each desktop', () => {
  it('macOS and Windows: the popover at the tray, opened from the tray', () => {
    for (const platform of ['darwin', 'win32'] as const)
      expect(windowMode({ platform, env: {}, argv: [], trayHost: undefined })).toEqual({ kind: 'popover', openAtLaunch: false });
  });

  it('Linux under X11 with a tray host: the popover, as elsewhere', () => {
    expect(windowMode({ platform: 'linux', env: x11, argv: [], trayHost: true })).toEqual({ kind: 'popover', openAtLaunch: false });
  });

  it('Linux without a tray host: a normal window, opened at launch, and the hint on how to get the tray', () => {
    const mode = windowMode({ platform: 'linux', env: x11, argv: [], trayHost: false });
    expect(mode).toEqual({ kind: 'normal', openAtLaunch: true, noTrayHint: NO_TRAY_HINT });
    expect(mode.noTrayHint!.body).toContain('AppIndicator');
    expect(mode.noTrayHint!.body).toContain('daytona-tray app --web');
    // A host that could not be asked about counts as missing: the window stays reachable.
    expect(windowMode({ platform: 'linux', env: x11, argv: [], trayHost: undefined })).toMatchObject({
      kind: 'normal',
      openAtLaunch: true,
    });
  });

  it('Wayland: never a placed popover; with a tray the window still waits for the tray', () => {
    expect(windowMode({ platform: 'linux', env: wayland, argv: [], trayHost: true })).toEqual({ kind: 'normal', openAtLaunch: false });
    expect(windowMode({ platform: 'linux', env: wayland, argv: [], trayHost: false })).toMatchObject({
      kind: 'normal',
      openAtLaunch: true,
    });
  });

  it('reads Wayland from the session, and lets an explicit Ozone platform win', () => {
    expect(runsOnWayland({ env: wayland, argv: [] })).toBe(true);
    expect(runsOnWayland({ env: { WAYLAND_DISPLAY: 'wayland-0' }, argv: [] })).toBe(true);
    expect(runsOnWayland({ env: x11, argv: [] })).toBe(false);
    expect(runsOnWayland({ env: wayland, argv: ['--ozone-platform=x11'] })).toBe(false);
    expect(runsOnWayland({ env: { ...wayland, ELECTRON_OZONE_PLATFORM_HINT: 'x11' }, argv: [] })).toBe(false);
    expect(runsOnWayland({ env: x11, argv: ['--ozone-platform=wayland'] })).toBe(true);
  });

  it('says the hint once per data folder', async () => {
    const dir = await tempDir();
    try {
      const marker = join(dir.path, 'data', 'no-tray-hint-shown');
      let said = 0;
      await sayOnce(marker, () => void said++);
      await sayOnce(marker, () => void said++);
      expect(said).toBe(1);
      expect(existsSync(marker)).toBe(true);
    } finally {
      await dir.cleanup();
    }
  });
});
