import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { DesktopNotifications } from './web-desktop.ts';

const DEST = ['--session', '--dest', 'org.freedesktop.Notifications', '--object-path', '/org/freedesktop/Notifications'];
const CALL_TIMEOUT_MS = 3_000;

/** A GVariant text literal for a string (gdbus parses each argument as GVariant text). */
export function gvariantString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** The action key of a notification's button `index` ("default" is the click on the notification itself). */
const buttonKey = (index: number) => `button-${index}`;

/** The arguments of `gdbus call ... Notify` (freedesktop Desktop Notifications spec 1.2). */
export function notifyArgs(notification: { title: string; body: string; buttons: readonly string[]; critical: boolean }): string[] {
  // Actions are pairs of key and label; servers show the labelled ones as buttons.
  const actions = [['default', 'Open'], ...notification.buttons.map((label, index) => [buttonKey(index), label])].flat();
  return [
    'call',
    ...DEST,
    '--timeout',
    '3',
    '--method',
    'org.freedesktop.Notifications.Notify',
    gvariantString('Daytona Tray'),
    'uint32 0',
    gvariantString(''),
    gvariantString(notification.title),
    gvariantString(notification.body),
    `[${actions.map(gvariantString).join(', ')}]`,
    `{'urgency': <byte ${notification.critical ? 2 : 1}>}`,
    'int32 -1',
  ];
}

/** The id in Notify's answer, `(uint32 7,)`. */
export function parseNotifyReply(stdout: string): number | undefined {
  const match = /\(uint32 (\d+),\)/.exec(stdout);
  return match ? Number(match[1]) : undefined;
}

/**
 * A click from `gdbus monitor`: `...ActionInvoked (uint32 7, 'default')`, with the button it was (undefined:
 * the notification itself, or an action key we did not send).
 */
export function parseActionInvoked(line: string): { id: number; button: number | undefined } | undefined {
  const match = /org\.freedesktop\.Notifications\.ActionInvoked \(uint32 (\d+), '([^']*)'\)/.exec(line);
  if (!match) return undefined;
  if (match[2] === 'default') return { id: Number(match[1]), button: undefined };
  const button = /^button-(\d+)$/.exec(match[2]!);
  return button ? { id: Number(match[1]), button: Number(button[1]) } : undefined;
}

function gdbus(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('gdbus', args, { timeout: CALL_TIMEOUT_MS, env: process.env }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

/**
 * The desktop's notification service over the session D-Bus, through GLib's `gdbus` tool (installed with
 * every GLib-based desktop; a D-Bus library would be a dependency for one method and one signal). Undefined,
 * quietly, where there is no session bus, no gdbus, or no service on the bus (a headless box): the pages then
 * show the notifications themselves. Clicks and buttons arrive as ActionInvoked signals, read from one
 * `gdbus monitor` child that lives until `stop()`.
 */
export async function connectDbusNotifications(log: (line: string) => void): Promise<DesktopNotifications | undefined> {
  if (process.platform !== 'linux' || !process.env.DBUS_SESSION_BUS_ADDRESS) return undefined;
  try {
    await gdbus(['call', ...DEST, '--timeout', '2', '--method', 'org.freedesktop.Notifications.GetServerInformation']);
  } catch {
    return undefined;
  }
  const clicks = new Map<number, (button: number | undefined) => void>();
  let monitor: ChildProcess | undefined;
  let watching: Promise<void> | undefined;
  // Started before the first Notify, and waited for (its first line comes once it listens), so no click is missed.
  const watchClicks = () =>
    (watching ??= new Promise<void>((resolve) => {
      monitor = spawn('gdbus', ['monitor', ...DEST], { stdio: ['ignore', 'pipe', 'ignore'] });
      monitor.once('error', () => resolve());
      monitor.once('exit', () => resolve());
      const timer = setTimeout(resolve, CALL_TIMEOUT_MS);
      createInterface({ input: monitor.stdout! }).on('line', (line) => {
        clearTimeout(timer);
        resolve();
        const click = parseActionInvoked(line);
        if (click) clicks.get(click.id)?.(click.button);
      });
    }));
  return {
    async notify(notification, onAction) {
      try {
        await watchClicks();
        const id = parseNotifyReply(await gdbus(notifyArgs(notification)));
        if (id === undefined) return false;
        clicks.set(id, onAction);
        if (clicks.size > 50) clicks.delete(clicks.keys().next().value!);
        return true;
      } catch (error) {
        log(`the desktop's notification service did not take a notification: ${(error as Error).message.split('\n')[0]}`);
        return false;
      }
    },
    stop() {
      monitor?.kill();
      monitor = undefined;
    },
  };
}
