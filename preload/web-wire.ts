/**
 * The messages of the web shell's WebSocket: the same contract as Electron's IPC, with the same channel names
 * (METHOD_CHANNELS, EVENT_CHANNELS), as JSON text frames. The web preload (preload/web-preload.ts) is one end,
 * main/web/socket-bridge.ts the other. No imports: it compiles for the page and for main.
 *
 * Structured clone (IPC) keeps Infinity (`BalanceView.hoursLeft` when nothing burns); JSON would turn it into
 * null, so non-finite numbers cross as a tagged object and come back as numbers.
 */

/** Page -> main. */
export type PageMessage =
  /** `ipcRenderer.invoke(channel, payload)`: answered by one `result` with the same id. */
  | { t: 'invoke'; id: number; channel: string; payload?: unknown }
  /** A click on a notification (`button` absent) or on one of its buttons (its index). */
  | { t: 'notification-click'; notification: string; button?: number };

/** Main -> page. */
export type MainMessage =
  /** First on every socket: which run of the app this is (a page that finds a new run after a reconnect reloads). */
  | { t: 'hello'; run: string }
  | { t: 'result'; id: number; result: unknown }
  /** `webContents.send(channel, payload)`. */
  | { t: 'event'; channel: string; payload: unknown }
  /** An alert: the page shows it (Notification API when allowed, else a notice in the page). */
  | { t: 'notify'; notification: string; title: string; body: string; buttons: string[]; critical: boolean; shownByDesktop: boolean };

/** The WebSocket's path on the web shell's server. */
export const BRIDGE_SOCKET_PATH = '/bridge';

const NON_FINITE = '$nonFinite';

export function encodeWire(message: PageMessage | MainMessage): string {
  return JSON.stringify(message, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? { [NON_FINITE]: String(value) } : value,
  );
}

/** Parses a frame; undefined when it is not a JSON object with a string `t` (the caller drops it). */
export function decodeWire(text: string): (Record<string, unknown> & { t: string }) | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text, (_key, item: unknown) => {
      if (item && typeof item === 'object' && !Array.isArray(item)) {
        const keys = Object.keys(item);
        const tag = (item as Record<string, unknown>)[NON_FINITE];
        if (keys.length === 1 && (tag === 'Infinity' || tag === '-Infinity' || tag === 'NaN')) return Number(tag);
      }
      return item;
    });
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || typeof (value as { t?: unknown }).t !== 'string') return undefined;
  return value as Record<string, unknown> & { t: string };
}
