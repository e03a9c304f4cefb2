import { Notification } from 'electron';
import type { DesktopPort } from '../app/desktop-port.ts';

/**
 * Shows notifications and routes clicks and buttons back to the app. Each notification is kept referenced
 * until it closes: one that is garbage-collected loses its click handlers.
 */
export function createNotifier(options: { icon?: string; log(line: string): void }): DesktopPort['notify'] {
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
    });
    live.add(notification);
    const release = () => live.delete(notification);
    notification.on('click', () => act(spec.click));
    notification.on('action', (details) => {
      const button = spec.buttons[details.actionIndex];
      if (button) act(button.action);
    });
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
