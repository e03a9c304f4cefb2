import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../main/core/process-alive.ts';
import { runCliToExit } from '../helpers/local-cli.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import {
  ChildStdioTransport,
  connectClient,
  httpTransport,
  spawnCli,
  startHttpChild,
  textOf,
  type CliChild,
} from '../helpers/mcp-harness.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * A fresh install as a user meets it: a new HOME, no DAYTONA_TRAY_HOME, no settings file, nothing in any
 * keychain. Every command, the MCP server in each of its modes, follows one rule: the local provider.
 */
function freshEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('DAYTONA_') && !key.startsWith('XDG_') && key !== 'DBUS_SESSION_BUS_ADDRESS')
      env[key] = value;
  }
  return { ...env, HOME: home, ...extra };
}

const appDir = (home: string) => join(home, '.config', 'Daytona Tray');

async function listSandboxes(client: Client): Promise<{ isError: boolean; text: string }> {
  const result = await client.callTool({ name: 'list_sandboxes', arguments: {} });
  return { isError: result.isError === true, text: textOf(result) };
}

describe('first run: with no settings every command and the MCP server use the local provider', () => {
  let home: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    home = await tempDir('daytona-tray-first-run-');
  });
  afterAll(async () => {
    await home?.cleanup();
  });

  it("status names the profile 'local' and creates nothing", async () => {
    const result = await runCliToExit(['status', '--json'], freshEnv(home.path));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).profile).toMatchObject({ name: 'local', kind: 'local', apiKey: 'none needed' });
    expect(existsSync(join(appDir(home.path), 'settings.json'))).toBe(false);
  });

  it('mcp (stdio) runs tools on the local provider before any login: create, run, destroy', async () => {
    const cli = spawnCli(['mcp'], freshEnv(home.path), home.path);
    try {
      const client = await connectClient(new ChildStdioTransport(cli));
      expect(await listSandboxes(client)).toMatchObject({ isError: false });
      const created = await client.callTool({ name: 'create_sandbox', arguments: { name: 'first-run' } });
      expect(created.isError, textOf(created)).toBeFalsy();
      const id = (created.structuredContent as { id: string }).id;
      const run = await client.callTool({ name: 'execute_command', arguments: { id, command: 'echo hello from the first run' } });
      expect(textOf(run)).toContain('hello from the first run');
      expect((await client.callTool({ name: 'destroy_sandbox', arguments: { id } })).isError).toBeFalsy();
      await client.close();
      expect((await cli.exited).code).toBe(0);
    } finally {
      await cli.kill();
    }
    expect(cli.stderr()).toContain('started the local provider for the local profile');
    expect(cli.stderr()).not.toContain('No Daytona profile is configured');
    // The sandboxes live in the app's data folder; still no settings file (nothing was set, nothing written).
    expect(existsSync(join(appDir(home.path), 'local'))).toBe(true);
    expect(existsSync(join(appDir(home.path), 'settings.json'))).toBe(false);
  });

  it('mcp --http serves the local provider too', async () => {
    const server = await startHttpChild(freshEnv(home.path), appDir(home.path), home.path);
    let client: Client | undefined;
    try {
      const { Client: McpClient } = await import('@modelcontextprotocol/sdk/client/index.js');
      client = new McpClient({ name: 'first-run', version: '0' });
      await client.connect(httpTransport(server.info));
      expect(await listSandboxes(client)).toMatchObject({ isError: false });
    } finally {
      await client?.close().catch(() => {});
      await server.cli.kill();
    }
    expect(server.cli.stderr()).toContain('started the local provider for the local profile');
  });

  it('the bridge (no tray running) starts a shared server that serves the local provider too', async () => {
    const bridge: CliChild = spawnCli(['bridge'], freshEnv(home.path, { DAYTONA_TRAY_SHARED_GRACE_MS: '500' }), home.path);
    try {
      const client = await connectClient(new ChildStdioTransport(bridge));
      expect(await listSandboxes(client)).toMatchObject({ isError: false });
      await client.close();
    } finally {
      await bridge.kill();
    }
    expect(bridge.stderr()).toContain('started a shared MCP server');
    const shared = Number(/shared MCP server \(pid (\d+)/.exec(bridge.stderr())![1]);
    await expect.poll(() => processAlive(shared), { timeout: 60_000 }).toBe(false);
    expect(await readFile(join(appDir(home.path), 'mcp-shared.log'), 'utf8')).toContain('started the local provider for the local profile');
  });
});

describe('credentials from the environment: which are in use, and what to change', () => {
  let home: Awaited<ReturnType<typeof tempDir>>;
  let provider: TestProvider;
  beforeAll(async () => {
    home = await tempDir('daytona-tray-env-creds-');
    provider = await startTestProvider();
  });
  afterAll(async () => {
    await provider?.stop();
    await home?.cleanup();
  });

  it('DAYTONA_API_URL without DAYTONA_API_KEY is refused by watch and mcp (never a silent fall back to the profile)', async () => {
    const env = freshEnv(home.path, { DAYTONA_API_URL: provider.provider.apiUrl });
    const watch = await runCliToExit(['watch', '--json'], env);
    expect(watch.code).toBe(1);
    expect(watch.stderr).toContain(
      'DAYTONA_API_URL is set in the environment but DAYTONA_API_KEY is not. Set DAYTONA_API_KEY too to use that server, or unset DAYTONA_API_URL',
    );
    expect(watch.stdout).toBe('');
    const mcp = await runCliToExit(['mcp'], env);
    expect(mcp.code).toBe(2);
    expect(mcp.stderr).toContain('DAYTONA_API_URL is set in the environment but DAYTONA_API_KEY is not');
  });

  it('watch says it uses the environment, and on a rejected key says to change DAYTONA_API_KEY (login cannot)', async () => {
    const result = await runCliToExit(
      ['watch', '--json'],
      freshEnv(home.path, { DAYTONA_API_URL: provider.provider.apiUrl, DAYTONA_API_KEY: 'dtn_not_the_key_42' }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `using DAYTONA_API_KEY and DAYTONA_API_URL from the environment (${provider.provider.apiUrl}), not profile 'local'`,
    );
    expect(result.stderr).toContain(
      `${provider.provider.apiUrl} rejected the API key in DAYTONA_API_KEY (401). Set a valid key in DAYTONA_API_KEY, or unset DAYTONA_API_KEY and DAYTONA_API_URL to use profile 'local'`,
    );
    expect(result.stderr).not.toMatch(/Enter a new key \(daytona-tray login\)/);
    expect(result.stderr + result.stdout).not.toContain('dtn_not_the_key_42');
    const status = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { state?: string; problem?: { message: string } })
      .find((line) => line.state === 'unauthorized');
    expect(status?.problem?.message).toContain('rejected the API key in DAYTONA_API_KEY');
  });

  it('status says the environment overrides the profile and how to stop that', async () => {
    const result = await runCliToExit(['status'], freshEnv(home.path, { DAYTONA_API_KEY: 'dtn_env_key_only' }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Profile:     env (cloud, https://app.daytona.io/api); API key from DAYTONA_API_KEY');
    expect(result.stdout).toContain(
      "DAYTONA_API_KEY is set in this environment: commands run from it use that instead of profile 'local' (unset it to use the profile).",
    );
    expect(result.stdout).not.toContain('dtn_env_key_only');
  });
});
