import type { Alert, AlertAction, AlertKind } from '../core/alerts/alert-types.ts';
import type { ViewName, ViewTarget } from '../../preload/contract.ts';

/** What a notification's click or button does: an alert's action, with "open" knowing where to open. */
export type NotificationAction = Exclude<AlertAction, { type: 'open-window' }> | { type: 'open-window'; label: string; target: ViewTarget };

/** What the shell hands to Electron's Notification, without Electron types. */
export interface NotificationSpec {
  title: string;
  body: string;
  /** Buttons, in order; only where the OS shows them (macOS and Windows: Electron's `actions`). */
  buttons: { label: string; action: NotificationAction }[];
  /** What a click on the notification itself does: open the window at the view (and sandbox) it is about. */
  click: NotificationAction;
  /** The window view a click or "Open" shows. */
  view: ViewName;
  /** Groups notifications of a kind in the notification centre (macOS thread, Windows toast group). */
  groupId: string;
  /** Linux and Windows: account-level problems stay until dismissed. */
  urgency: 'normal' | 'critical';
}

const VIEW_OF: Record<AlertKind, ViewName> = {
  'auto-stop': 'sandboxes',
  'auto-pause': 'sandboxes',
  'auto-archive': 'sandboxes',
  'auto-delete': 'sandboxes',
  'ttl-expired': 'sandboxes',
  'sandbox-error': 'sandboxes',
  'low-balance': 'balance',
  'credits-depleted': 'balance',
  'server-failed': 'server',
};

const CRITICAL: ReadonlySet<AlertKind> = new Set(['credits-depleted', 'server-failed']);

/**
 * An alert as an OS notification. A click always opens the window at the view the alert is about (the
 * least surprising thing a click can do); the alert's other actions (restart the sandbox, restart the
 * server, top up) become buttons where the OS has them. Linux notifications have no buttons in Electron, so
 * there the window, which offers the same actions, is one click away; a desktop port that does show them
 * (the web shell's pages and D-Bus notifications) says so with `buttonsShown`.
 */
export function notificationSpec(alert: Alert, platform: NodeJS.Platform | string, buttonsShown?: boolean): NotificationSpec {
  const view = VIEW_OF[alert.kind];
  const label = alert.actions.find((action) => action.type === 'open-window')?.label ?? 'Open Daytona Tray';
  // A burst about several sandboxes opens at the first of them.
  const sandboxId = alert.sandboxIds[0];
  const open: NotificationAction = { type: 'open-window', label, target: { view, ...(sandboxId ? { sandboxId } : {}) } };
  const buttons =
    (buttonsShown ?? (platform === 'darwin' || platform === 'win32'))
      ? alert.actions.flatMap((action) => (action.type === 'open-window' ? [] : [{ label: action.label, action }]))
      : [];
  return {
    title: alert.title,
    body: alert.body,
    buttons,
    click: open,
    view,
    groupId: `daytona-tray.${alert.kind}`,
    urgency: CRITICAL.has(alert.kind) ? 'critical' : 'normal',
  };
}
