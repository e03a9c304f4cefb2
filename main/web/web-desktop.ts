import { randomUUID } from 'node:crypto';
import type { DesktopPort } from '../app/desktop-port.ts';
import type { NotificationAction, NotificationSpec } from '../app/notification-view.ts';
import { EVENT_CHANNELS, type ViewTarget } from '../../preload/contract.ts';
import type { SocketBridge } from './socket-bridge.ts';

/** The desktop's own notification service (D-Bus on Linux); `notify` resolves false when it could not show it. */
export interface DesktopNotifications {
  /** `onAction` gets the index of the button clicked, or undefined for a click on the notification itself. */
  notify(
    notification: { id: string; title: string; body: string; buttons: readonly string[]; critical: boolean },
    onAction: (button: number | undefined) => void,
  ): Promise<boolean>;
  stop(): void;
}

export interface WebDesktopOptions {
  bridge: SocketBridge;
  version: string;
  platform?: NodeJS.Platform;
  /** A fresh one-time link to the page (for a browser the app opens itself). */
  link(): string;
  /** Opens a URL in the default browser (main/core/auth/open-browser.ts). */
  openBrowser(url: string): Promise<void>;
  /** false (--no-open): never start a browser; a view to show waits for the next page. */
  mayOpenBrowser: boolean;
  /** Whether the desktop's notification service showed this run's notifications (checked once at start). */
  desktopNotifications?: DesktopNotifications;
  quit(): void;
  log(line: string): void;
}

/** How many notifications a later click can still act on. */
const REMEMBERED = 50;

/**
 * The desktop port of the web shell: the app's "window" is every open browser page. A notification goes to
 * every page (the page shows it as a browser notification or a notice) and to the desktop's notification
 * service where there is one; a click from any of them runs the notification's action in the app, which
 * opens the view it is about in the pages. No tray icon and no start at login: the window says so.
 */
export function createWebDesktop(options: WebDesktopOptions): DesktopPort {
  const { bridge, log } = options;
  const notifications = new Map<string, { spec: NotificationSpec; act: (action: NotificationAction) => void }>();
  let pendingView: ViewTarget | undefined;

  const clicked = (id: string, button: number | undefined) => {
    const entry = notifications.get(id);
    if (!entry) return log('a click on a notification this run no longer remembers was ignored');
    const action = button === undefined ? entry.spec.click : entry.spec.buttons[button]?.action;
    if (action) entry.act(action);
  };
  bridge.onNotificationClick(clicked);
  bridge.onPageOpened((send) => {
    if (!pendingView) return;
    send(EVENT_CHANNELS.onShowView, pendingView);
    pendingView = undefined;
  });

  function showWindow(target?: ViewTarget): void {
    if (bridge.pages() > 0) {
      if (target) bridge.broadcast(EVENT_CHANNELS.onShowView, target);
      return;
    }
    pendingView = target;
    if (!options.mayOpenBrowser) return;
    void options.openBrowser(options.link()).catch((error: unknown) => log((error as Error).message));
  }

  return {
    platform: options.platform ?? process.platform,
    version: options.version,
    unavailable: ['tray-icon', 'start-at-login'],
    // The pages' notices and the desktop's notification service both show buttons.
    notificationButtons: true,
    notify(spec, act) {
      const id = randomUUID();
      notifications.set(id, { spec, act });
      if (notifications.size > REMEMBERED) notifications.delete(notifications.keys().next().value!);
      const critical = spec.urgency === 'critical';
      const buttons = spec.buttons.map((button) => button.label);
      const page = { notification: id, title: spec.title, body: spec.body, buttons, critical };
      const desktop = options.desktopNotifications;
      if (!desktop) {
        bridge.notify({ ...page, shownByDesktop: false });
        return;
      }
      // Shown by the desktop: the pages add only their notice, so the user does not get two popups.
      void desktop
        .notify({ id, title: spec.title, body: spec.body, buttons, critical }, (button) => clicked(id, button))
        .then((shown) => bridge.notify({ ...page, shownByDesktop: shown }));
    },
    showWindow,
    openExternal: (url) => options.openBrowser(url),
    copyText() {
      // The web preload writes the browser's own clipboard (the machine the user sits at); nothing to do here.
    },
    quit: () => options.quit(),
  };
}
