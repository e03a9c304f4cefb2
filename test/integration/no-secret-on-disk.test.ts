import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyringSecretStore } from '../../main/core/secrets/keyring-secret-store.ts';
import { createSettingsStore } from '../../main/core/settings/settings-store.ts';
import { createMcpSupervisor, type McpSupervisor } from '../../main/core/supervisor/mcp-supervisor.ts';
import { loadServerConfig } from '../../main/core/supervisor/server-config.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { textOf } from '../helpers/mcp-harness.ts';
import { CLI } from '../helpers/paths.ts';
import { filesUnder } from '../helpers/host-state.ts';
import { runCliToExit } from '../helpers/local-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { keyringEnv, keyringSkipReason, startTestKeyring, type TestKeyring } from '../helpers/test-keyring.ts';
import { skipWhen } from '../helpers/skip.ts';

/**
 * The promise behind "the key lives in the OS keychain only": after login, client setup and a supervised
 * server run (with an AI client's bridge relaying a real tool call), no file anywhere under HOME holds the
 * API key. The keyring itself lives under HOME too, so its storage is covered (it is encrypted there).
 */
const skipReason = keyringSkipReason();

const cli = (args: string[], env: NodeJS.ProcessEnv, input = '') => runCliToExit(args, env, { input, timeoutMs: 45_000 });

describe('no API key on disk after login, setup and a supervised server run', skipWhen(skipReason, 'keyring'), () => {
  let home: Awaited<ReturnType<typeof tempDir>>;
  let keyring: TestKeyring;
  let provider: TestProvider;
  let env: NodeJS.ProcessEnv;
  let supervisor: McpSupervisor | undefined;

  beforeAll(async () => {
    home = await tempDir('daytona-tray-nosecret-');
    keyring = await startTestKeyring({ parentDir: home.path });
    provider = await startTestProvider();
    await mkdir(join(home.path, '.cursor')); // Cursor is installed
    env = keyringEnv(keyring, {
      PATH: process.env.PATH,
      HOME: home.path,
      DAYTONA_TRAY_HOME: join(home.path, 'app'),
      XDG_CONFIG_HOME: join(home.path, '.config'),
    });
  });
  afterAll(async () => {
    await supervisor?.stop();
    await provider?.stop();
    await keyring?.stop();
    await home?.cleanup();
  });

  it('stays off every file', async () => {
    const apiKey = provider.provider.apiKey;

    const login = await cli(['login', '--profile', 'dev', '--api-url', provider.provider.apiUrl], env, `${apiKey}\n`);
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);

    const setup = await cli(['setup', 'cursor'], env);
    expect(setup.code).toBe(0);
    const entry = JSON.parse(await readFile(join(home.path, '.cursor', 'mcp.json'), 'utf8')).mcpServers.daytona as {
      command: string;
      args: string[];
      env?: Record<string, string>;
    };

    // The tray's way: settings + keychain -> supervisor -> `mcp --http` child with the key in its environment.
    supervisor = createMcpSupervisor({
      loadConfig: () => loadServerConfig({ settings: createSettingsStore({ env }), secrets: createKeyringSecretStore({ env }) }),
      cliScript: CLI,
      env,
      profileCheckMs: 0,
    });
    await supervisor.start();
    await expect.poll(() => supervisor!.status().state, { timeout: 30_000 }).toBe('running');
    expect(supervisor.status().profile).toEqual({ name: 'dev', kind: 'cloud' });

    // An AI client's way in: the bridge from Cursor's entry relays to the supervised server, which uses the key.
    const transport = new StdioClientTransport({
      command: entry.command,
      args: entry.args,
      env: { HOME: home.path, DAYTONA_TRAY_HOME: join(home.path, 'app'), ...entry.env },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'no-secret-test', version: '0.0.0' });
    try {
      await client.connect(transport, { timeout: 30_000 });
      const result = await client.callTool({ name: 'list_sandboxes', arguments: {} }, undefined, { timeout: 30_000 });
      expect(result.isError).toBeFalsy();
      expect(textOf(result)).toBe('No sandboxes match. Create one with create_sandbox.');
    } finally {
      await client.close();
    }

    const status = await cli(['status', '--json'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({
      profile: { name: 'dev', apiKey: 'keychain' },
      server: { state: 'running' },
      clients: expect.arrayContaining([expect.objectContaining({ id: 'cursor', connected: true })]),
    });

    // Switch to the local profile: the supervisor notices, runs the local provider with its own key (in the
    // environment too), and that key must stay off the disk as well.
    const toLocal = await cli(['login', '--profile', 'local'], env);
    expect(toLocal.code).toBe(0);
    expect(await supervisor.refresh()).toBe(true);
    await expect
      .poll(() => supervisor!.status().localProvider?.state === 'running' && supervisor!.status().state, { timeout: 30_000 })
      .toBe('running');
    const secrets = [apiKey];
    if (process.platform === 'linux') {
      const environ = (await readFile(`/proc/${supervisor.status().localProvider!.pid}/environ`)).toString('utf8').split('\0');
      const localKey = environ.find((entry) => entry.startsWith('DAYTONA_TRAY_LOCAL_API_KEY='))!.split('=')[1]!;
      expect(localKey.length).toBeGreaterThan(20);
      secrets.push(localKey);
    }

    const logs = supervisor.logs().join('\n');
    await supervisor.stop();
    supervisor = undefined;

    const files = await filesUnder(home.path);
    expect(files).toContain(join(home.path, 'app', 'settings.json'));
    expect(files).toContain(join(home.path, '.cursor', 'mcp.json'));
    expect(files.some((file) => file.endsWith('.keyring'))).toBe(true);
    for (const secret of secrets) {
      for (const file of files) expect((await readFile(file)).includes(secret), file).toBe(false);
      for (const output of [login.stdout, login.stderr, setup.stdout, setup.stderr, status.stdout, status.stderr, logs])
        expect(output).not.toContain(secret);
    }
  });
});
