import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { STATUS_NOTIFIER_WATCHER } from '../../main/core/desktop/tray-host.ts';

/**
 * A panel that can show tray icons, as far as an app can tell: a connection to the session bus that owns
 * org.kde.StatusNotifierWatcher (as KDE Plasma, or GNOME's AppIndicator extension, does). Written with
 * @homebridge/dbus-native (a kept D-Bus implementation in JavaScript); the code under test asks the real bus
 * daemon whether the name has an owner. `release()` disconnects, which drops the name.
 */
export interface TestTrayHost {
  release(): void;
}

interface DbusBus {
  connection: EventEmitter & { end(): void };
  requestName(name: string, flags: number, callback: (error: unknown, reply: number) => void): void;
}

const require = createRequire(import.meta.url);
const dbus = require('@homebridge/dbus-native') as { sessionBus(options: { busAddress: string }): DbusBus };
/** RequestName's answer when the name is now ours. */
const PRIMARY_OWNER = 1;

export async function startTestTrayHost(busAddress: string): Promise<TestTrayHost> {
  const bus = dbus.sessionBus({ busAddress });
  await new Promise<void>((resolve, reject) => {
    bus.connection.once('error', reject);
    bus.requestName(STATUS_NOTIFIER_WATCHER, 0, (error, reply) => {
      if (error) reject(new Error(`could not own ${STATUS_NOTIFIER_WATCHER}: ${String((error as { message?: string }).message ?? error)}`));
      else if (reply !== PRIMARY_OWNER)
        reject(new Error(`${STATUS_NOTIFIER_WATCHER} is already owned on this bus (RequestName answered ${reply})`));
      else resolve();
    });
  });
  return { release: () => bus.connection.end() };
}
