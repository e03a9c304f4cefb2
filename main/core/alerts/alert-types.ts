/** Every kind of notification the app can raise; each can be switched off in settings. */
export const ALERT_KINDS = [
  'auto-stop',
  'auto-archive',
  'auto-delete',
  'sandbox-error',
  'low-balance',
  'credits-depleted',
  'mcp-down',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** What a notification offers to do; the shell turns these into buttons. */
export type AlertAction =
  | { type: 'restart-sandbox'; sandboxId: string; label: string }
  | { type: 'open-window'; label: string }
  | { type: 'restart-mcp'; label: string }
  | { type: 'top-up'; label: string };

export interface Alert {
  kind: AlertKind;
  title: string;
  body: string;
  /** The sandboxes it is about (several when a burst was coalesced); empty for account-level alerts. */
  sandboxIds: string[];
  actions: AlertAction[];
  /** ISO 8601. */
  at: string;
}

/** The port the shell implements with OS notifications (and the `watch` command with stdout). */
export interface Notifier {
  notify(alert: Alert): void;
}

/**
 * What the policy reads from settings, asked on every decision so a switch flipped in the window applies
 * at once. Kinds missing from `enabled` are on.
 */
export interface AlertSettings {
  enabled?: Partial<Record<AlertKind, boolean>>;
  /** Warn when the balance drops below this many US cents. */
  lowBalanceThresholdCents?: number;
}

/** The notification switches of settings.json (main/core/settings) mapped onto alert kinds. */
export function alertSettingsFromNotifications(
  notifications: Partial<
    Record<'autoStop' | 'autoArchive' | 'autoDelete' | 'sandboxError' | 'lowBalance' | 'creditsDepleted' | 'serverFailed', boolean>
  >,
  lowBalanceThresholdCents?: number,
): AlertSettings {
  const enabled: Partial<Record<AlertKind, boolean>> = {};
  if (notifications.autoStop !== undefined) enabled['auto-stop'] = notifications.autoStop;
  if (notifications.autoArchive !== undefined) enabled['auto-archive'] = notifications.autoArchive;
  if (notifications.autoDelete !== undefined) enabled['auto-delete'] = notifications.autoDelete;
  if (notifications.sandboxError !== undefined) enabled['sandbox-error'] = notifications.sandboxError;
  if (notifications.lowBalance !== undefined) enabled['low-balance'] = notifications.lowBalance;
  if (notifications.creditsDepleted !== undefined) enabled['credits-depleted'] = notifications.creditsDepleted;
  if (notifications.serverFailed !== undefined) enabled['mcp-down'] = notifications.serverFailed;
  return { enabled, ...(lowBalanceThresholdCents !== undefined ? { lowBalanceThresholdCents } : {}) };
}
