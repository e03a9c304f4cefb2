import type { DesktopPort } from '../../main/app/desktop-port.ts';
import type { NotificationAction, NotificationSpec } from '../../main/app/notification-view.ts';
import type { DesktopFeature, ViewTarget } from '../../preload/contract.ts';

/** A notification as the desktop received it, with the app's callback its click and buttons go to. */
export interface ShownNotification {
  spec: NotificationSpec;
  act(action: NotificationAction): void;
  /** Clicks it (the OS delivers `click`). */
  click(): void;
  /** Presses the button with this label (the OS delivers `action` with its index). */
  press(label: string): void;
}

/** A typed double of the desktop a shell gives the app, recording what the app asks of it. */
export interface DesktopDouble extends DesktopPort {
  notifications: ShownNotification[];
  /** Every showWindow call, in order (undefined: no particular view). */
  shown: (ViewTarget | undefined)[];
  opened: string[];
  /** Files opened with the OS's default app (openPath), in order. */
  openedFiles: string[];
  copied: string[];
  quits: number;
  /** Every folder picker opened (its options); it answers with `pickedFolder` (undefined: the user cancels). */
  pickers: { title: string; defaultPath: string }[];
  pickedFolder: string | undefined;
  /** The OS's start-at-login state, as the double keeps it. */
  loginItemOn(): boolean;
  /** What the app asked of the updater ("Check for updates…", "Restart to update"), in order. */
  updateCalls: ('check' | 'install')[];
}

export function createDesktopDouble(
  options: { platform?: NodeJS.Platform; loginItem?: boolean; openFiles?: boolean; unavailable?: DesktopFeature[]; onQuit?(): void } = {},
): DesktopDouble {
  let loginOn = false;
  const double: DesktopDouble = {
    platform: options.platform ?? 'linux',
    version: '0.1.0-test',
    ...(options.loginItem === false
      ? {}
      : {
          loginItem: {
            enabled: async () => loginOn,
            async setEnabled(on: boolean) {
              loginOn = on;
            },
          },
        }),
    ...(options.unavailable ? { unavailable: options.unavailable } : {}),
    notifications: [],
    shown: [],
    opened: [],
    openedFiles: [],
    copied: [],
    quits: 0,
    pickers: [],
    pickedFolder: undefined,
    async pickFolder(options) {
      double.pickers.push(options);
      return double.pickedFolder;
    },
    notify(spec, act) {
      double.notifications.push({
        spec,
        act,
        click: () => act(spec.click),
        press(label) {
          const button = spec.buttons.find((entry) => entry.label === label);
          if (!button)
            throw new Error(
              `the notification "${spec.title}" has no button "${label}" (it has: ${spec.buttons.map((entry) => entry.label).join(', ') || 'none'})`,
            );
          act(button.action);
        },
      });
    },
    showWindow: (target) => void double.shown.push(target),
    async openExternal(url) {
      double.opened.push(url);
    },
    copyText: (text) => void double.copied.push(text),
    ...(options.openFiles === false
      ? {}
      : {
          async openPath(path: string) {
            double.openedFiles.push(path);
          },
        }),
    quit() {
      double.quits += 1;
      options.onQuit?.();
    },
    loginItemOn: () => loginOn,
    updateCalls: [],
    updates: {
      async check() {
        double.updateCalls.push('check');
      },
      install: () => void double.updateCalls.push('install'),
    },
  };
  return double;
}
