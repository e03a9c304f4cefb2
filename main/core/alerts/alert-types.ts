import { NOTIFICATION_KINDS, type NotificationKind } from '../settings/settings-schema.ts';

/** `serverFailed` -> `server-failed`. */
type Kebab<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `-${Lowercase<Head>}`}${Kebab<Tail>}`
  : S;

/**
 * Every kind of notification the app can raise: one per switch in settings (NOTIFICATION_KINDS), named as that
 * switch in kebab case, so `serverFailed: false` silences `server-failed`. `watch --json` prints these names.
 */
export type AlertKind = Kebab<NotificationKind>;

export function alertKindOf<K extends NotificationKind>(key: K): Kebab<K> {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`) as Kebab<K>;
}

export const ALERT_KINDS: readonly AlertKind[] = NOTIFICATION_KINDS.map(alertKindOf);

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
  notifications: Partial<Record<NotificationKind, boolean>>,
  lowBalanceThresholdCents?: number,
): AlertSettings {
  const enabled: Partial<Record<AlertKind, boolean>> = {};
  for (const key of NOTIFICATION_KINDS) if (notifications[key] !== undefined) enabled[alertKindOf(key)] = notifications[key];
  return { enabled, ...(lowBalanceThresholdCents !== undefined ? { lowBalanceThresholdCents } : {}) };
}
