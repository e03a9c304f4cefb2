import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { RequestOptions } from 'node:http';
import { configureRequestOptions, configureRequestUrl, HttpExecutor, type CancellationToken } from 'builder-util-runtime';
import { DebUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationSpec } from '../../main/app/notification-view.ts';
import { createUpdates, type UpdaterPort, type UpdateState } from '../../main/app/updates.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * electron-updater's requests over Node's http: the app's go through Electron's net (ElectronHttpExecutor), which
 * needs Electron. `download` is ElectronHttpExecutor's, over the same base class.
 */
class NodeExecutor extends HttpExecutor<ReturnType<typeof request>> {
  createRequest(options: RequestOptions, callback: (response: any) => void) {
    return request(options, callback);
  }
  download(url: URL, destination: string, options: { cancellationToken: CancellationToken; headers?: Record<string, string> }) {
    return options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions = { headers: options.headers };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        {
          destination,
          options: options as never,
          onCancel,
          callback: (error) => (error ? reject(error) : resolve(destination)),
          responseHandler: null,
        },
        0,
      );
    });
  }
}

/**
 * "Check for updates…" against a release feed served here: electron-updater itself (its generic provider,
 * reading latest-linux.yml and downloading the .deb it names, checked against the feed's sha512) behind the
 * app's thin interface (main/app/updates.ts), with an app adapter instead of Electron's app.
 */
describe('updates from a release feed (latest-linux.yml over HTTP)', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: Server;
  let feedUrl: string;
  const feed = new Map<string, { status: number; body: Buffer | string }>();
  const requests: string[] = [];
  const deb = Buffer.alloc(256 * 1024, 7); // the "installer": big enough for progress events

  beforeAll(async () => {
    dir = await tempDir('daytona-tray-updates-');
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const entry = feed.get(req.url?.split('?')[0] ?? '');
      res.writeHead(entry?.status ?? 404, { 'content-type': 'application/octet-stream' });
      res.end(entry?.body ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await dir?.cleanup();
  });

  /** latest-linux.yml as electron-builder publishes it, for `version` and the .deb above. */
  function publish(version: string): void {
    const sha512 = createHash('sha512').update(deb).digest('base64');
    const name = `daytona-tray_${version}_amd64.deb`;
    feed.set('/latest-linux.yml', {
      status: 200,
      body: `version: ${version}\nfiles:\n  - url: ${name}\n    sha512: ${sha512}\n    size: ${deb.length}\npath: ${name}\nsha512: ${sha512}\nreleaseDate: '2026-12-07T08:00:00.000Z'\n`,
    });
    feed.set(`/${name}`, { status: 200, body: deb });
  }

  async function updatesFor(installed: string, name: string) {
    const home = join(dir.path, name);
    await mkdir(home, { recursive: true });
    const configPath = join(home, 'app-update.yml'); // what electron-builder writes into resources/ from `publish`
    await writeFile(configPath, `provider: generic\nurl: ${feedUrl}\nupdaterCacheDirName: daytona-tray-updater\n`);
    const adapter: AppAdapter = {
      version: installed,
      name: 'Daytona Tray',
      isPackaged: true,
      appUpdateConfigPath: configPath,
      userDataPath: join(home, 'data'),
      baseCachePath: join(home, 'cache'),
      whenReady: async () => {},
      relaunch: () => {},
      quit: () => {},
      onQuit: () => {},
    };
    const updater = new DebUpdater(undefined, adapter);
    (updater as unknown as { httpExecutor: NodeExecutor }).httpExecutor = new NodeExecutor();
    updater.logger = null;
    const notified: NotificationSpec[] = [];
    const states: UpdateState[] = [];
    const updates = createUpdates({
      updater: updater as unknown as UpdaterPort,
      currentVersion: installed,
      notify: (spec) => void notified.push(spec),
      onChange: (state) => void states.push(state),
      log: () => {},
    });
    return { updates, notified, states };
  }

  it('finds a newer version, downloads it with progress, and offers "Restart to update"', async () => {
    publish('0.2.0');
    const { updates, notified, states } = await updatesFor('0.1.0', 'newer');
    expect(updates.menuItem()).toEqual({ label: 'Check for updates…', enabled: true, action: 'check-updates' });
    await updates.check();
    await expect.poll(() => updates.state().state, { timeout: 20_000 }).toBe('ready');
    expect(states.map((state) => state.state)).toEqual(expect.arrayContaining(['checking', 'downloading', 'ready']));
    expect(updates.menuItem()).toEqual({ label: 'Restart to update to 0.2.0', enabled: true, action: 'install-update' });
    expect(notified.map((spec) => spec.title)).toEqual(['Daytona Tray 0.2.0 is ready']);
    expect(requests).toContain('/daytona-tray_0.2.0_amd64.deb');
  });

  it('says the installed version is the latest when the feed has nothing newer', async () => {
    publish('0.1.0');
    const { updates, notified } = await updatesFor('0.1.0', 'same');
    await updates.check();
    expect(updates.state()).toEqual({ state: 'up-to-date', version: '0.1.0' });
    expect(notified.map((spec) => spec.title)).toEqual(['Daytona Tray is up to date']);
  });

  it('shows an error when the feed is missing, and lets the user check again', async () => {
    feed.delete('/latest-linux.yml');
    const { updates, notified } = await updatesFor('0.1.0', 'missing');
    await updates.check();
    expect(updates.state().state).toBe('error');
    expect(updates.menuItem()).toEqual({ label: 'Update failed: check again…', enabled: true, action: 'check-updates' });
    expect(notified[0]).toMatchObject({ title: 'Could not update Daytona Tray', body: expect.stringContaining('latest-linux.yml') });
    publish('0.1.0');
    await updates.check();
    expect(updates.state().state).toBe('up-to-date');
  });

  it('is off, and says so, where there is no updater (an unpackaged run)', async () => {
    const updates = createUpdates({
      off: 'development run (not packaged)',
      currentVersion: '0.1.0',
      notify: () => {},
      onChange: () => {},
      log: () => {},
    });
    await updates.check();
    expect(updates.menuItem()).toEqual({ label: 'Updates off: development run (not packaged)', enabled: false, action: 'check-updates' });
  });
});
