import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * How the window shows on this desktop:
 * - `popover`: the frameless ~380×560 window placed next to the tray icon, hidden when it loses focus (macOS,
 *   Windows, Linux under X11 with a tray).
 * - `normal`: a framed window in the taskbar that the window manager places and that stays open until closed.
 *   Under Wayland a client cannot place its own window (no global coordinates; xdg-shell has no such request),
 *   so a popover there would open wherever the compositor puts it and vanish on the first click elsewhere.
 *   Without a tray host the window is the only way into the app, so it is not hidden on blur either.
 */
export type WindowKind = 'popover' | 'normal';

export interface WindowMode {
  kind: WindowKind;
  /** Open the window when the app starts (there is no tray icon to open it from). */
  openAtLaunch: boolean;
  /** Said once (a notification): why there is no tray icon and how to get one. */
  noTrayHint?: { title: string; body: string };
}

export interface DesktopFacts {
  platform: NodeJS.Platform | (string & {});
  env: NodeJS.ProcessEnv;
  /** Electron's command line (an explicit --ozone-platform=… wins over the session type). */
  argv: readonly string[];
  /** Whether a StatusNotifier host owns its D-Bus name (Linux); undefined: could not ask. */
  trayHost: boolean | undefined;
}

/** Whether Electron draws on Wayland here: the session is Wayland and nothing forces X11 (XWayland). */
export function runsOnWayland(facts: Pick<DesktopFacts, 'env' | 'argv'>): boolean {
  const flag = facts.argv.find((arg) => arg.startsWith('--ozone-platform='))?.split('=')[1];
  if (flag) return flag === 'wayland';
  const hint = facts.env.ELECTRON_OZONE_PLATFORM_HINT;
  if (hint === 'x11') return false;
  return facts.env.XDG_SESSION_TYPE === 'wayland' || Boolean(facts.env.WAYLAND_DISPLAY);
}

export const NO_TRAY_HINT = {
  title: 'Daytona Tray opened as a window',
  body:
    'This desktop shows no tray icons, so Daytona Tray runs as a window: close it and open it again from the app menu (Daytona Tray), ' +
    "or run 'daytona-tray app --web' to use it in a browser. For a tray icon on GNOME, install the " +
    '"AppIndicator and KStatusNotifierItem Support" extension and restart Daytona Tray.',
};

export function windowMode(facts: DesktopFacts): WindowMode {
  if (facts.platform !== 'linux') return { kind: 'popover', openAtLaunch: false };
  // A host we could not ask about counts as missing: the window then opens, and stays reachable.
  const trayShown = facts.trayHost === true;
  const kind: WindowKind = trayShown && !runsOnWayland(facts) ? 'popover' : 'normal';
  if (trayShown) return { kind, openAtLaunch: false };
  return { kind, openAtLaunch: true, noTrayHint: NO_TRAY_HINT };
}

/**
 * Runs `say` the first time only, for this data folder: a marker file remembers it was said. A marker that
 * cannot be written means it is said again next launch, which is better than never.
 */
export async function sayOnce(marker: string, say: () => void): Promise<void> {
  if (existsSync(marker)) return;
  say();
  await mkdir(dirname(marker), { recursive: true });
  await writeFile(marker, `${new Date().toISOString()}\n`);
}
