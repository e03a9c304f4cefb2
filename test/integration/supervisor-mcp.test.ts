import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedProfile } from '../../main/core/profile.ts';
import { createMcpSupervisor, type McpServerStatus, type McpSupervisor } from '../../main/core/supervisor/mcp-supervisor.ts';
import type { ServerConfig } from '../../main/core/supervisor/server-config.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { cleanEnv, httpTransport, runtimeFileOf, textOf, type RuntimeInfo } from '../helpers/mcp-harness.ts';
import { CLI, REPO_ROOT } from '../helpers/paths.ts';
import { until } from '../helpers/until.ts';
import { processGone } from '../helpers/host-state.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * The MCP supervisor with the real built CLI as its children (`mcp --http`, `local --json`), a real MCP
 * client through the runtime file, and the local provider standing in for Daytona's cloud.
 */
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/children/${name}`, import.meta.url));
let provider: TestProvider;
let home: Awaited<ReturnType<typeof tempDir>>;
let supervisor: McpSupervisor | undefined;
let client: Client | undefined;

beforeAll(async () => {
  provider = await startTestProvider();
  home = await tempDir('daytona-tray-supervisor-');
});
afterEach(async () => {
  await client?.close().catch(() => {});
  client = undefined;
  await supervisor?.stop();
  supervisor = undefined;
});
afterAll(async () => {
  await provider?.stop();
  await home?.cleanup();
});

function cloud(apiKey = provider.provider.apiKey): ResolvedProfile {
  return { name: 'dev', kind: 'cloud', apiUrl: provider.provider.apiUrl, apiKey, source: 'keychain' };
}

function start(config: { value: ServerConfig }, profileCheckMs = 0): { supervisor: McpSupervisor; statuses: McpServerStatus[] } {
  const statuses: McpServerStatus[] = [];
  supervisor = createMcpSupervisor({
    loadConfig: async () => config.value,
    cliScript: CLI,
    env: cleanEnv({ DAYTONA_TRAY_HOME: home.path, DAYTONA_TRAY_LOCAL_MINUTE_MS: undefined }),
    profileCheckMs,
    timings: { stopGraceMs: 3000 },
  });
  supervisor.onChange((status) => statuses.push(status));
  void supervisor.start();
  return { supervisor, statuses };
}

const waitFor = <T>(what: string, probe: () => T, timeoutMs = 30_000) => until(what, timeoutMs, probe);

const running = (s: McpSupervisor, not?: number) =>
  waitFor('the server to be running', () => {
    const status = s.status();
    return status.state === 'running' && status.pid !== undefined && status.pid !== not ? status : undefined;
  });

function runtimeInfo(): RuntimeInfo {
  return JSON.parse(readFileSync(runtimeFileOf(home.path), 'utf8')) as RuntimeInfo;
}

/** An MCP client as an AI client's bridge would open it: through the runtime file. */
async function listSandboxes(): Promise<{ text: string; isError: boolean }> {
  await client?.close().catch(() => {});
  client = new Client({ name: 'supervisor-test', version: '0.0.0' });
  await client.connect(httpTransport(runtimeInfo()));
  const result = await client.callTool({ name: 'list_sandboxes', arguments: {} });
  return { text: textOf(result), isError: Boolean(result.isError) };
}

const procFile = (pid: number, name: string) => readFileSync(`/proc/${pid}/${name}`).toString('utf8').split('\0');

describe('McpSupervisor with the real CLI', () => {
  it('serves the cloud profile with the key in the child environment only; kill -9 -> running again on the same port', async () => {
    const apiKey = provider.provider.apiKey;
    const { supervisor: s, statuses } = start({ value: { profile: cloud(), port: 0, disabledGroups: [] } });
    const first = await running(s);
    expect(first).toMatchObject({ profile: { name: 'dev', kind: 'cloud' }, url: `http://127.0.0.1:${first.port}/mcp` });
    expect(runtimeInfo()).toMatchObject({ pid: first.pid, port: first.port });
    expect(await listSandboxes()).toEqual({ text: 'No sandboxes match. Create one with create_sandbox.', isError: false });

    if (process.platform === 'linux') {
      const argv = procFile(first.pid!, 'cmdline');
      expect(argv.slice(1, 4)).toEqual([CLI, 'mcp', '--http']);
      expect(argv.join(' ')).not.toContain(apiKey);
      const environ = procFile(first.pid!, 'environ');
      expect(environ).toContain(`DAYTONA_API_KEY=${apiKey}`);
      expect(environ).toContain('ELECTRON_RUN_AS_NODE=1');
    }

    const killedAt = Date.now();
    process.kill(first.pid!, 'SIGKILL');
    const second = await running(s, first.pid);
    const measured = Date.now() - killedAt;
    const restarting = statuses.find((status) => status.state === 'restarting')!;
    expect(restarting.reason).toMatch(/^The MCP server was killed by SIGKILL\./);
    expect(restarting.retryAt! - restarting.server.since).toBeLessThanOrEqual(1000);
    expect(second.port).toBe(first.port); // the same address for clients and the bridge
    expect(runtimeInfo().pid).toBe(second.pid);
    expect(await listSandboxes()).toMatchObject({ isError: false });
    expect(s.logs().join('\n')).not.toContain(apiKey);
    expect(s.logs().join('\n')).not.toContain(runtimeInfo().token);
    console.log(`MCP server: kill -9 -> running again (MCP ping answered) after ${measured} ms`);
  });

  it('restarts the server when the key of the active profile changes, and not when nothing changed', async () => {
    const config = { value: { profile: cloud(), port: 0, disabledGroups: [] } as ServerConfig };
    const { supervisor: s } = start(config);
    const first = await running(s);
    expect(await s.refresh()).toBe(false);
    expect(s.status().pid).toBe(first.pid);

    config.value = { ...config.value, profile: cloud('dtn_rotated_key_0123456789') };
    expect(await s.refresh()).toBe(true);
    const second = await running(s, first.pid);
    expect(processGone(first.pid!)).toBe(true);
    if (process.platform === 'linux') expect(procFile(second.pid!, 'environ')).toContain('DAYTONA_API_KEY=dtn_rotated_key_0123456789');
    expect(s.logs().join('\n')).toContain("restarting: the API key of profile 'dev' changed");
    expect(s.logs().join('\n')).not.toContain('dtn_rotated_key_0123456789');
    // The provider rejects the new key: the server says so per call instead of dying.
    expect(await listSandboxes()).toMatchObject({ isError: true });
  });

  it('notices changed settings on its own (the periodic check of settings and keychain)', async () => {
    const config = { value: { profile: cloud(), port: 0, disabledGroups: [] } as ServerConfig };
    const { supervisor: s } = start(config, 200);
    const first = await running(s);
    config.value = { ...config.value, disabledGroups: ['git'] };
    const second = await running(s, first.pid);
    expect(s.logs().join('\n')).toContain('restarting: the MCP server settings changed');
    if (process.platform === 'linux') expect(procFile(second.pid!, 'cmdline')).toEqual(expect.arrayContaining(['--disable-groups', 'git']));
  });

  it('local profile: starts the local provider first and hands its URL and key to the server; a killed provider comes back at the same address', async () => {
    const { supervisor: s } = start({ value: { profile: { name: 'local', kind: 'local' }, port: 0, disabledGroups: [] } });
    const first = await running(s);
    const local = first.localProvider!;
    expect(local.state).toBe('running');
    expect(await listSandboxes()).toEqual({ text: 'No sandboxes match. Create one with create_sandbox.', isError: false });
    if (process.platform === 'linux') {
      const environ = procFile(first.pid!, 'environ');
      const url = environ.find((entry) => entry.startsWith('DAYTONA_API_URL='))!;
      expect(url).toMatch(/^DAYTONA_API_URL=http:\/\/127\.0\.0\.1:\d+\/api$/);
      expect(procFile(local.pid!, 'cmdline').slice(1, 4)).toEqual([CLI, 'local', '--json']);
    }

    process.kill(local.pid!, 'SIGKILL');
    await waitFor('the provider to come back', () => {
      const provider = s.status().localProvider;
      return provider?.state === 'running' && provider.pid !== local.pid ? provider : undefined;
    });
    expect(s.status().pid).toBe(first.pid); // same address and key: the server did not need a restart
    expect(await listSandboxes()).toMatchObject({ isError: false });
  });

  it('switching from the local profile to a cloud one stops the provider and restarts the server', async () => {
    const config = { value: { profile: { name: 'local', kind: 'local' }, port: 0, disabledGroups: [] } as ServerConfig };
    const { supervisor: s } = start(config);
    const first = await running(s);
    const localPid = first.localProvider!.pid!;
    config.value = { ...config.value, profile: cloud() };
    expect(await s.refresh()).toBe(true);
    const second = await running(s, first.pid);
    expect(second.localProvider).toBeUndefined();
    expect(processGone(localPid)).toBe(true);
    expect(second.profile).toEqual({ name: 'dev', kind: 'cloud' });
    expect(s.logs().join('\n')).toContain("restarting: the active profile is now 'dev'");
  });

  it('a server that cannot start (its port is taken): failed, with the reason from its stderr, and retried with backoff', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { supervisor: s, statuses } = start({ value: { profile: cloud(), port, disabledGroups: [] } });
      await waitFor('two failures', () => statuses.filter((status) => status.state === 'failed').length >= 2);
      const failures = statuses.filter((status) => status.state === 'failed');
      expect(failures[0]!.reason).toMatch(/^The MCP server exited with code 1 while starting\. Its last output: .*Port \d+ is in use/);
      expect(failures[0]!.reason).toContain(`Port ${port} is in use`);
      expect(failures[1]!.retryAt! - failures[1]!.server.since).toBeGreaterThan(failures[0]!.retryAt! - failures[0]!.server.since);
      expect(s.status().state).toBe('failed');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('no child outlives a supervisor that is itself killed (SIGKILL, no cleanup)', async () => {
    const tray = spawn(
      process.execPath,
      [fixture('supervise.mjs'), join(REPO_ROOT, 'out/main/core/supervisor/mcp-supervisor.js'), CLI, home.path],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    tray.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    tray.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const line = await waitFor(`the fixture's pids (stderr: ${stderr})`, () => (stdout.includes('\n') ? stdout.split('\n')[0] : undefined));
    const pids = JSON.parse(line) as { server: number; local: number };
    expect(processGone(pids.server) || processGone(pids.local)).toBe(false);
    const exited = new Promise((resolve) => tray.once('exit', resolve));
    tray.kill('SIGKILL');
    await exited;
    // Each child watches its parent (--exit-with-parent) and stops cleanly within about a second.
    await waitFor('the MCP server to exit', () => processGone(pids.server), 15_000);
    await waitFor('the local provider to exit', () => processGone(pids.local), 15_000);
  });

  it('stop() leaves no process behind and removes the runtime file', async () => {
    const { supervisor: s } = start({ value: { profile: { name: 'local', kind: 'local' }, port: 0, disabledGroups: [] } });
    const status = await running(s);
    const pids = [status.pid!, status.localProvider!.pid!];
    await s.stop();
    expect(s.status().state).toBe('stopped');
    for (const pid of pids) expect(processGone(pid), `pid ${pid}`).toBe(true);
    expect(existsSync(runtimeFileOf(home.path))).toBe(false);
  });
});
