import { execFile } from 'node:child_process';

/**
 * The D-Bus name of the StatusNotifier watcher, which the panel (the "host") owns when it can show tray icons
 * (https://www.freedesktop.org/wiki/Specifications/StatusNotifierItem/StatusNotifierWatcher/). Electron's
 * Linux tray is a StatusNotifierItem registered with it; without it, as on GNOME without the AppIndicator
 * extension, the icon is never shown anywhere.
 */
export const STATUS_NOTIFIER_WATCHER = 'org.kde.StatusNotifierWatcher';

const CALL_TIMEOUT_MS = 2_000;

type Run = (file: string, args: string[], env: NodeJS.ProcessEnv) => Promise<string>;

const run: Run = (file, args, env) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: CALL_TIMEOUT_MS, env }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });

/**
 * Whether a StatusNotifier host owns its name on the session bus: true or false as the bus daemon answers
 * NameHasOwner, undefined when there is no session bus or no tool to ask it with. Asks with GLib's `gdbus`,
 * else with `dbus-send` (one or the other comes with every desktop that has a session bus; a D-Bus library
 * would be a dependency for one call). Each call has a 2 s timeout and its child is reaped by execFile.
 */
export async function statusNotifierHostPresent(env: NodeJS.ProcessEnv = process.env, exec: Run = run): Promise<boolean | undefined> {
  if (!env.DBUS_SESSION_BUS_ADDRESS) return undefined;
  const bus = ['/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner'];
  try {
    const reply = await exec(
      'gdbus',
      ['call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', bus[0]!, '--method', bus[1]!, STATUS_NOTIFIER_WATCHER],
      env,
    );
    // `(true,)` or `(false,)`
    if (/\(\s*true\s*,\s*\)/.test(reply)) return true;
    if (/\(\s*false\s*,\s*\)/.test(reply)) return false;
  } catch {
    // No gdbus, or the call failed: try dbus-send.
  }
  try {
    const reply = await exec(
      'dbus-send',
      ['--session', '--print-reply=literal', '--dest=org.freedesktop.DBus', bus[0]!, bus[1]!, `string:${STATUS_NOTIFIER_WATCHER}`],
      env,
    );
    // `   boolean true`
    if (/\bboolean true\b/.test(reply)) return true;
    if (/\bboolean false\b/.test(reply)) return false;
  } catch {
    // Neither tool answered.
  }
  return undefined;
}
