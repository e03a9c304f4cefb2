import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { DesktopNotifications } from './web-desktop.ts';

const DEST = ['--session', '--dest', 'org.freedesktop.Notifications', '--object-path', '/org/freedesktop/Notifications'];
const CALL_TIMEOUT_MS = 3_000;

/** A GVariant text literal for a string (gdbus parses each argument as GVariant text). */
export function gvariantString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** The arguments of `gdbus call ... Notify` (freedesktop Desktop Notifications spec 1.2). */
export function notifyArgs(notification: { title: string; body: string; critical: boolean }): string[] {
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
    // "default" is the click on the notification itself.
    "['default', 'Open']",
    `{'urgency': <byte ${notification.critical ? 2 : 1}>}`,
    'int32 -1',
  ];
}

/** The id in Notify's answer, `(uint32 7,)`. */
export function parseNotifyReply(stdout: string): number | undefined {
  const match = /\(uint32 (\d+),\)/.exec(stdout);
  return match ? Number(match[1]) : undefined;
}

/** A click from `gdbus monitor`: `...ActionInvoked (uint32 7, 'default')`. */
export function parseActionInvoked(line: string): number | undefined {
  const match = /org\.freedesktop\.Notifications\.ActionInvoked \(uint32 (\d+), '([^']*)'\)/.exec(line);
  return match ? Number(match[1]) : undefined;
}

function gdbus(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('gdbus', args, { timeout: CALL_TIMEOUT_MS, env: process.env }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

/**
 * The desktop's notification service over the session D-Bus, through GLib's `gdbus` tool (installed with
 * every GLib-based desktop). Undefined, quietly, where there is no session bus, no gdbus, or no service on
 * the bus (a headless box): the pages then show the notifications themselves.
 */
export async function connectDbusNotifications(log: (line: string) => void): Promise<DesktopNotifications | undefined> {
  if (process.platform !== 'linux' || !process.env.DBUS_SESSION_BUS_ADDRESS) return undefined;
  try {
    await gdbus(['call', ...DEST, '--timeout', '2', '--method', 'org.freedesktop.Notifications.GetServerInformation']);
  } catch {
    return undefined;
  }
  const clicks = new Map<number, () => void>();
  let monitor: ChildProcess | undefined;
  const watchClicks = () => {
    if (monitor) return;
    monitor = spawn('gdbus', ['monitor', ...DEST], { stdio: ['ignore', 'pipe', 'ignore'] });
    monitor.once('error', () => {});
    createInterface({ input: monitor.stdout! }).on('line', (line) => {
      const id = parseActionInvoked(line);
      if (id !== undefined) clicks.get(id)?.();
    });
  };
  return {
    async notify(notification, onClick) {
      try {
        const id = parseNotifyReply(await gdbus(notifyArgs(notification)));
        if (id === undefined) return false;
        watchClicks();
        clicks.set(id, onClick);
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
