import { readFile } from 'node:fs/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../main/core/process-alive.ts';
import type { ResolvedProfile } from '../../main/core/profile.ts';
import { createMcpSupervisor, type McpSupervisor } from '../../main/core/supervisor/mcp-supervisor.ts';
import type { ServerConfig } from '../../main/core/supervisor/server-config.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import {
  cleanEnv,
  connectClient,
  httpTransport,
  runtimeFileOf,
  startHttpChild,
  textOf,
  type CliChild,
  type RuntimeInfo,
} from '../helpers/mcp-harness.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { CLI } from '../helpers/paths.ts';

/**
 * The supervisor (the tray's) started while a real `mcp --http --shared` serves: adopted when it serves the same
 * account (its key compared by a keyed proof, never sent), replaced when not, and replaced by the tray's own server
 * when it dies. A local provider plays the Daytona account; everything else is the built CLI.
 */
let provider: TestProvider;
let home: Awaited<ReturnType<typeof tempDir>>;
let shared: CliChild | undefined;
let supervisor: McpSupervisor | undefined;
let client: Client | undefined;

beforeAll(async () => {
  provider = await startTestProvider();
});
afterEach(async () => {
  await client?.close().catch(() => {});
  client = undefined;
  await supervisor?.stop();
  supervisor = undefined;
  await shared?.kill();
  shared = undefined;
  await home?.cleanup();
});
afterAll(async () => {
  await provider?.stop();
});

/** The account as a bridge's shared server reads it (here from its environment: profile 'env'). */
async function startShared(): Promise<{ pid: number; url: string }> {
  home = await tempDir('daytona-tray-adopt-');
  const env = cleanEnv({
    DAYTONA_TRAY_HOME: home.path,
    DAYTONA_API_URL: provider.provider.apiUrl,
    DAYTONA_API_KEY: provider.provider.apiKey,
    DAYTONA_TRAY_SHARED_GRACE_MS: '600000',
  });
  const started = await startHttpChild(env, home.path, home.path, ['--shared']);
  shared = started.cli;
  return { pid: started.info.pid, url: started.info.url };
}

function trayWith(profile: ResolvedProfile, timings = {}): McpSupervisor {
  const config: ServerConfig = { profile, port: 0, disabledGroups: [] };
  supervisor = createMcpSupervisor({
    loadConfig: async () => config,
    cliScript: CLI,
    env: cleanEnv({ DAYTONA_TRAY_HOME: home.path }),
    profileCheckMs: 0,
    timings: { stopGraceMs: 3000, ...timings },
  });
  return supervisor;
}

const account = (apiKey = provider.provider.apiKey): ResolvedProfile => ({
  name: 'env',
  kind: 'cloud',
  apiUrl: provider.provider.apiUrl,
  apiKey,
  source: 'keychain',
});

/** The server's pid once it runs (and, given `not`, once it is another process than that one). */
async function runningPid(s: McpSupervisor, not?: number): Promise<number> {
  const current = () => {
    const status = s.status();
    return status.state === 'running' && status.pid !== undefined && status.pid !== not ? status.pid : undefined;
  };
  await expect.poll(current, { timeout: 45_000 }).toBeTypeOf('number');
  return current()!;
}

async function listThroughRuntimeFile(): Promise<string> {
  const info = JSON.parse(await readFile(runtimeFileOf(home.path), 'utf8')) as RuntimeInfo;
  client = await connectClient(httpTransport(info), 'adopt-test');
  const result = await client.callTool({ name: 'list_sandboxes', arguments: {} });
  expect(result.isError, textOf(result)).toBeFalsy();
  return textOf(result);
}

describe('the supervisor and a shared server it finds at start', () => {
  it('adopts a shared server of the same account, and leaves it running at stop', async () => {
    const { pid, url } = await startShared();
    const tray = trayWith(account());
    await tray.start();
    expect(await runningPid(tray)).toBe(pid);
    expect(tray.status().url).toBe(url);
    expect(tray.logs().join('\n')).toContain(`adopted the MCP server that AI clients shared while the tray was not running (pid ${pid}`);
    // An AI client is connected (its session open) when the tray stops.
    await listThroughRuntimeFile();
    await tray.stop();
    supervisor = undefined;
    expect(processAlive(pid)).toBe(true);
    expect(tray.logs().join('\n')).toContain(`the shared MCP server (pid ${pid}) keeps running`);
    expect(tray.logs().join('\n')).not.toContain(provider.provider.apiKey);
  });

  it('stops an adopted server with the tray when no AI client uses it any more', async () => {
    const { pid } = await startShared();
    const tray = trayWith(account());
    await tray.start();
    expect(await runningPid(tray)).toBe(pid);
    await tray.stop();
    supervisor = undefined;
    expect(processAlive(pid)).toBe(false);
    expect(tray.logs().join('\n')).toContain(`no AI client uses the adopted shared MCP server (pid ${pid}): it stops with the tray`);
  });

  it('replaces a shared server that uses another API key', async () => {
    const { pid } = await startShared();
    const tray = trayWith(account(`${provider.provider.apiKey}-rotated`));
    await tray.start();
    const own = await runningPid(tray);
    expect(own).not.toBe(pid);
    expect(processAlive(pid)).toBe(false);
    const logs = tray.logs().join('\n');
    expect(logs).toContain(`(pid ${pid}) is replaced: it uses another API key than profile 'env' now has`);
    expect(logs).not.toContain(provider.provider.apiKey);
  });

  it('starts its own server when the adopted one dies', async () => {
    const { pid } = await startShared();
    const tray = trayWith(account(), { healthIntervalMs: 200 });
    await tray.start();
    expect(await runningPid(tray)).toBe(pid);
    process.kill(pid, 'SIGKILL');
    const own = await runningPid(tray, pid);
    expect(own).not.toBe(pid);
    expect(tray.logs().join('\n')).toContain(`the adopted shared MCP server (pid ${pid}) exited: starting the tray's own`);
    expect(await listThroughRuntimeFile()).toBeTypeOf('string');
  });
});
