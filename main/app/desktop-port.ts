import type { DesktopFeature, ViewTarget } from '../../preload/contract.ts';
import type { LoginItem } from './login-item.ts';
import type { NotificationAction, NotificationSpec } from './notification-view.ts';

/**
 * What the app asks of the desktop it runs in. The Electron shell (main/shell) implements it with a tray,
 * a window and OS notifications; the web shell with browser pages; tests with a recording double.
 */
export interface DesktopPort {
  platform: NodeJS.Platform | (string & {});
  /** The app's version (package.json). */
  version: string;
  /** Start at login as the OS keeps it; absent where this desktop cannot start the app at login. */
  loginItem?: LoginItem;
  /** What else this desktop cannot do; the window says so instead of showing a dead control. */
  unavailable?: readonly DesktopFeature[];
  /** Whether its notifications show buttons; absent: as Electron, only on macOS and Windows. */
  notificationButtons?: boolean;
  /** Shows a notification; a click or a button hands its action to `act` (the app runs it). */
  notify(spec: NotificationSpec, act: (action: NotificationAction) => void): void;
  /** Opens the window (at a view, maybe at one sandbox there). */
  showWindow(target?: ViewTarget): void;
  /** Opens an http(s) URL in the user's browser. */
  openExternal(url: string): Promise<void>;
  copyText(text: string): void;
  /** Opens a file in the app the OS associates with it; absent where this desktop cannot (a browser page). */
  openPath?(path: string): Promise<void>;
  /** The OS folder picker; resolves with the chosen folder, undefined when cancelled. Absent where there is none. */
  pickFolder?(options: { title: string; defaultPath: string }): Promise<string | undefined>;
  /** Updates from the release feed (the Electron shell, main/app/updates.ts); absent where there are none. */
  updates?: { check(): Promise<void>; install(): void };
  /** Stops the app: the shell calls TrayApp.stop() (children reaped) before its process exits. */
  quit(): void;
  /**
   * macOS, packaged: whether the app runs from an Applications folder, and a prompt that offers to move it there
   * (Electron's app.isInApplicationsFolder/moveToApplicationsFolder; a move relaunches the app from there). Absent
   * elsewhere. Run from Downloads, macOS translocates the app to a random temporary path, which no AI client entry
   * can keep naming.
   */
  applicationsFolder?: { isIn(): boolean; offerMove(): Promise<'moved' | 'declined' | 'failed'> };
}

/** The features a desktop lacks, as the window is told. */
export function unavailableFeatures(desktop: Pick<DesktopPort, 'loginItem' | 'unavailable' | 'openPath' | 'pickFolder'>): DesktopFeature[] {
  const missing = new Set<DesktopFeature>(desktop.unavailable ?? []);
  if (!desktop.loginItem) missing.add('start-at-login');
  if (!desktop.openPath) missing.add('open-files');
  if (!desktop.pickFolder) missing.add('folder-picker');
  return [...missing];
}
