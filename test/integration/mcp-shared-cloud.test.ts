import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../main/core/process-alive.ts';
import { createKeyringSecretStore } from '../../main/core/secrets/keyring-secret-store.ts';
import { createSettingsStore, settingsFile } from '../../main/core/settings/settings-store.ts';
import { createMcpSupervisor } from '../../main/core/supervisor/mcp-supervisor.ts';
import { loadServerConfig } from '../../main/core/supervisor/server-config.ts';
import { filesUnder } from '../helpers/host-state.ts';
import { CLI } from '../helpers/paths.ts';
import { runCliToExit } from '../helpers/local-cli.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { textOf } from '../helpers/mcp-harness.ts';
import { closeBridgeClient, processesUsing, sharedPidIn, startBridgeClient, type BridgeClient } from '../helpers/shared-server.ts';
import { skipWhen } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { keyringEnv, keyringSkipReason, startTestKeyring, type TestKeyring } from '../helpers/test-keyring.ts';

/** Processes of ours serving MCP for this data dir (the shared server), the bridges left out. */
function mcpServers(appDir: string): number[] {
  return processesUsing(appDir)
    .filter(({ cmdline }) => /\bmcp\b/.test(cmdline))
    .map(({ pid }) => pid);
}

describe(
  'AI clients on a cloud profile share one server (a second local provider plays the cloud)',
  skipWhen(keyringSkipReason(), 'keyring'),
  () => {
    let home: Awaited<ReturnType<typeof tempDir>>;
    let keyring: TestKeyring;
    let cloud: TestProvider;
    let env: NodeJS.ProcessEnv;
    let appDir: string;
    let clients: BridgeClient[] = [];

    beforeAll(async () => {
      home = await tempDir('daytona-tray-shared-cloud-');
      keyring = await startTestKeyring({ parentDir: home.path });
      cloud = await startTestProvider();
      appDir = join(home.path, 'app');
      env = keyringEnv(keyring, {
        PATH: process.env.PATH,
        HOME: home.path,
        DAYTONA_TRAY_HOME: appDir,
        XDG_CONFIG_HOME: join(home.path, '.config'),
        DAYTONA_TRAY_SHARED_GRACE_MS: '1500',
      });
      const stored = await runCliToExit(['login', '--profile', 'work', '--api-url', cloud.provider.apiUrl], env, {
        input: `${cloud.provider.apiKey}\n`,
      });
      expect(stored.code, stored.stderr).toBe(0);
      clients = await Promise.all(Array.from({ length: 5 }, (_, i) => startBridgeClient(env, home.path, `cloud-agent-${i}`)));
    });
    afterAll(async () => {
      for (const { client, bridge } of clients) {
        await client.close().catch(() => {});
        await bridge.kill();
      }
      await cloud?.stop();
      await keyring?.stop();
      await home?.cleanup();
    });

    it('five clients at once create and list sandboxes on the cloud account, through one server process in all', async () => {
      const created = await Promise.all(
        clients.map(({ client }, i) => client.callTool({ name: 'create_sandbox', arguments: { name: `cloud-box-${i}` } })),
      );
      for (const result of created) expect(result.isError, textOf(result)).toBeFalsy();
      for (const { client } of clients) {
        const listing = textOf(await client.callTool({ name: 'list_sandboxes', arguments: {} }));
        for (let i = 0; i < 5; i++) expect(listing).toContain(`cloud-box-${i}`);
      }
      // They are on the account the profile names, not on a local provider of ours.
      const onCloud: string[] = [];
      for await (const sandbox of cloud.daytona.list()) onCloud.push(sandbox.name);
      for (let i = 0; i < 5; i++) expect(onCloud).toContain(`cloud-box-${i}`);
      const pids = new Set(clients.map(({ bridge }) => sharedPidIn(bridge.stderr())));
      expect(pids.size).toBe(1);
      expect(mcpServers(appDir)).toEqual([...pids]);
      for (const { bridge } of clients) {
        expect(bridge.stderr()).not.toContain('serving the tools in this process');
        expect(bridge.stderr()).not.toContain(cloud.provider.apiKey);
      }
    });

    it('a tray started meanwhile, reading the same settings and keychain, adopts the server: the keys compared by proof, none in a file', async () => {
      const [pid] = mcpServers(appDir);
      const tray = createMcpSupervisor({
        loadConfig: () =>
          loadServerConfig({ settings: createSettingsStore({ file: settingsFile(env) }), secrets: createKeyringSecretStore({ env }) }),
        cliScript: CLI,
        env,
        profileCheckMs: 0,
      });
      try {
        await tray.start();
        await expect.poll(() => (tray.status().state === 'running' ? tray.status().pid : undefined), { timeout: 45_000 }).toBe(pid);
        expect(tray.logs().join('\n')).toContain(
          `adopted the MCP server that AI clients shared while the tray was not running (pid ${pid}`,
        );
        expect(mcpServers(appDir)).toEqual([pid]);
        const listing = textOf(await clients[0]!.client.callTool({ name: 'list_sandboxes', arguments: {} }));
        expect(listing).toContain('cloud-box-4');
      } finally {
        await tray.stop();
      }
      // Its clients are still connected: it keeps serving them.
      expect(processAlive(pid!)).toBe(true);
      expect(tray.logs().join('\n')).not.toContain(cloud.provider.apiKey);
      for (const file of await filesUnder(appDir)) expect(await readFile(file, 'utf8'), file).not.toContain(cloud.provider.apiKey);
    });

    it('after the last client closes, the shared server exits once the grace period ends', async () => {
      const [pid] = mcpServers(appDir);
      for (const client of clients) expect(await closeBridgeClient(client)).toBe(0);
      await expect.poll(() => processAlive(pid!), { timeout: 60_000, interval: 200 }).toBe(false);
      expect(processesUsing(appDir)).toEqual([]);
    });
  },
);
