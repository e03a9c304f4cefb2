import { Notification } from 'electron';
import type { DesktopPort } from '../app/desktop-port.ts';
import { toastXml } from '../app/windows-toast.ts';

/**
 * Shows notifications and routes clicks and buttons back to the app. Each notification is kept referenced
 * until it closes: one that is garbage-collected loses its click handlers.
 */
export function createNotifier(options: { icon?: string; log(line: string): void; platform?: NodeJS.Platform }): DesktopPort['notify'] {
  // Windows: the toast carries its actions (main/app/windows-toast.ts) and every click, on screen or in Action
  // Center, arrives through Notification.handleActivation (toast-activation.ts), which also fires for a live
  // Notification: listening here too would run the action twice.
  const windows = (options.platform ?? process.platform) === 'win32';
  const live = new Set<Notification>();
  return (spec, act) => {
    if (!Notification.isSupported()) {
      options.log(`notifications are not supported here: ${spec.title}`);
      return;
    }
    const notification = new Notification({
      title: spec.title,
      body: spec.body,
      groupId: spec.groupId,
      urgency: spec.urgency,
      actions: spec.buttons.map((button) => ({ type: 'button' as const, text: button.label })),
      ...(options.icon ? { icon: options.icon } : {}),
      ...(windows ? { toastXml: toastXml(spec) } : {}),
    });
    live.add(notification);
    const release = () => live.delete(notification);
    if (!windows) {
      notification.on('click', () => act(spec.click));
      notification.on('action', (details) => {
        const button = spec.buttons[details.actionIndex];
        if (button) act(button.action);
      });
    }
    notification.on('close', release);
    // macOS refuses notifications from unsigned bundles with `failed` (Electron 42+ uses UNUserNotificationCenter; athrvk/vayu#1358): say so.
    notification.on('failed', (_event, error) => {
      release();
      options.log(`the notification "${spec.title}" could not be shown: ${error}`);
    });
    notification.show();
  };
}

/** A notification that only informs (no click action); logged where notifications are not supported. */
export function notifyPlain(options: { title: string; body: string; icon?: string; log(line: string): void }): void {
  if (!Notification.isSupported()) {
    options.log(`${options.title}: ${options.body}`);
    return;
  }
  new Notification({ title: options.title, body: options.body, ...(options.icon ? { icon: options.icon } : {}) }).show();
}
