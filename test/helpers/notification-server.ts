import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/** A Notify call as the desktop's notification service received it. */
export interface ReceivedNotification {
  id: number;
  appName: string;
  summary: string;
  body: string;
  /** Action pairs flattened as sent: key, label, key, label… */
  actions: string[];
  urgency: number | undefined;
}

/**
 * The test double of the desktop: a notification server (freedesktop Desktop Notifications spec 1.2) on a
 * D-Bus session bus, written with @homebridge/dbus-native (a kept D-Bus implementation in JavaScript). It
 * records every Notify and, on `invoke`, sends ActionInvoked and NotificationClosed as a desktop does when
 * the user clicks a notification or one of its buttons. The code under test talks to it over the real bus.
 */
export interface TestNotificationServer {
  received(): ReceivedNotification[];
  /** The user clicked: `key` is "default" (the notification itself) or an action key it was sent with. */
  invoke(id: number, key: string): void;
  stop(): void;
}

interface DbusBus {
  connection: EventEmitter & { end(): void };
  requestName(name: string, flags: number, callback: (error: unknown, reply: number) => void): void;
  exportInterface(object: object, path: string, iface: object): void;
}

const require = createRequire(import.meta.url);
const dbus = require('@homebridge/dbus-native') as { sessionBus(options: { busAddress: string }): DbusBus };

const NAME = 'org.freedesktop.Notifications';
const PATH = '/org/freedesktop/Notifications';
/** RequestName's answer when the name is now ours. */
const PRIMARY_OWNER = 1;

export async function startNotificationServer(busAddress: string): Promise<TestNotificationServer> {
  const bus = dbus.sessionBus({ busAddress });
  const received: ReceivedNotification[] = [];
  let nextId = 1;
  const service = Object.assign(new EventEmitter(), {
    GetServerInformation: () => ['test-notifications', 'daytona-tray tests', '1.0', '1.2'],
    GetCapabilities: () => ['actions', 'body'],
    Notify(
      appName: string,
      _replaces: number,
      _icon: string,
      summary: string,
      body: string,
      actions: string[],
      hints: [string, [unknown, unknown[]]][],
    ) {
      const urgency = hints.find(([key]) => key === 'urgency')?.[1][1][0];
      const id = nextId++;
      received.push({ id, appName, summary, body, actions, urgency: typeof urgency === 'number' ? urgency : undefined });
      return id;
    },
    CloseNotification: () => {},
  });
  bus.exportInterface(service, PATH, {
    name: NAME,
    methods: {
      GetServerInformation: ['', 'ssss'],
      GetCapabilities: ['', 'as'],
      Notify: ['susssasa{sv}i', 'u'],
      CloseNotification: ['u', ''],
    },
    signals: { ActionInvoked: ['us', 'id action_key'], NotificationClosed: ['uu', 'id reason'] },
  });
  await new Promise<void>((resolve, reject) => {
    bus.connection.once('error', reject);
    bus.requestName(NAME, 0, (error, reply) => {
      if (error) reject(new Error(`could not own ${NAME}: ${String((error as { message?: string }).message ?? error)}`));
      else if (reply !== PRIMARY_OWNER) reject(new Error(`${NAME} is already owned on this bus (RequestName answered ${reply})`));
      else resolve();
    });
  });
  return {
    received: () => [...received],
    invoke(id, key) {
      service.emit('ActionInvoked', id, key);
      // Reason 2: dismissed by the user.
      service.emit('NotificationClosed', id, 2);
    },
    stop: () => bus.connection.end(),
  };
}
