import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusNotifierHostPresent } from '../../main/core/desktop/tray-host.ts';
import { skipWhen } from '../helpers/skip.ts';
import { startTestTrayHost } from '../helpers/status-notifier-watcher.ts';
import { keyringSkipReason, startTestKeyring, type TestKeyring } from '../helpers/test-keyring.ts';

/** The same runner as the product's, but as if `gdbus` were not installed: the dbus-send path answers. */
const withoutGdbus = (file: string, args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<string>((resolve, reject) => {
    if (file === 'gdbus') return reject(Object.assign(new Error('spawn gdbus ENOENT'), { code: 'ENOENT' }));
    execFile(file, args, { timeout: 2_000, env }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });

describe('whether a StatusNotifier host owns its D-Bus name, asked of a real session bus', skipWhen(keyringSkipReason(), 'keyring'), () => {
  let bus: TestKeyring;
  const env = () => ({ ...process.env, ...bus.env });

  beforeAll(async () => {
    bus = await startTestKeyring({ secretService: false });
  });
  afterAll(async () => {
    await bus?.stop();
  });

  it('no: a bus where nothing owns org.kde.StatusNotifierWatcher (GNOME without the AppIndicator extension)', async () => {
    expect(await statusNotifierHostPresent(env())).toBe(false);
    expect(await statusNotifierHostPresent(env(), withoutGdbus)).toBe(false);
  });

  it('yes while a panel owns the name, and no again once it is gone', async () => {
    const host = await startTestTrayHost(bus.env.DBUS_SESSION_BUS_ADDRESS);
    try {
      expect(await statusNotifierHostPresent(env())).toBe(true);
      expect(await statusNotifierHostPresent(env(), withoutGdbus)).toBe(true);
    } finally {
      host.release();
    }
    await expect.poll(() => statusNotifierHostPresent(env())).toBe(false);
  });

  it('cannot tell without a session bus, or without a tool to ask it with', async () => {
    const noBus = { ...process.env };
    delete noBus.DBUS_SESSION_BUS_ADDRESS;
    expect(await statusNotifierHostPresent(noBus)).toBeUndefined();
    const none = () => Promise.reject(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }));
    expect(await statusNotifierHostPresent(env(), none)).toBeUndefined();
  });
});
