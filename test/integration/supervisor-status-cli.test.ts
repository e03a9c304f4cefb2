import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ServerReport, ProfileReport } from '../../main/cli/status-command.ts';
import { CLIENT_IDS, type ClientStatus } from '../../main/core/clients/types.ts';
import { createMcpSupervisor, type McpSupervisor } from '../../main/core/supervisor/mcp-supervisor.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { cleanEnv, runtimeFileOf } from '../helpers/mcp-harness.ts';
import { CLI } from '../helpers/paths.ts';
import { runCliToExit } from '../helpers/local-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** `daytona-tray status [--json]` as a user runs it: the built CLI, a temp HOME, no keychain on the bus. */
interface Status {
  profile: ProfileReport;
  server: ServerReport;
  clients: ClientStatus[];
}

let home: Awaited<ReturnType<typeof tempDir>>;
let provider: TestProvider;
let supervisor: McpSupervisor | undefined;

beforeAll(async () => {
  provider = await startTestProvider();
});
afterAll(async () => provider?.stop());
beforeEach(async () => {
  home = await tempDir('daytona-tray-status-');
  await mkdir(join(home.path, '.cursor'));
});
afterEach(async () => {
  await supervisor?.stop();
  supervisor = undefined;
  await home.cleanup();
});

const appDir = () => join(home.path, 'app');

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // No D-Bus session: the keychain is unavailable, which status must report rather than hang on.
  const result = cleanEnv({ HOME: home.path, DAYTONA_TRAY_HOME: appDir(), XDG_CONFIG_HOME: join(home.path, '.config'), ...extra });
  delete result.DBUS_SESSION_BUS_ADDRESS;
  // A fresh machine has no `claude` CLI: keep npm's node_modules/.bin (which holds the pinned devDependency) off PATH.
  result.PATH = (result.PATH ?? '')
    .split(':')
    .filter((dir) => !dir.includes('node_modules'))
    .join(':');
  return result;
}

const status = (args: string[], extra: Record<string, string> = {}) => runCliToExit(['status', ...args], env(extra));

async function statusJson(extra: Record<string, string> = {}): Promise<Status> {
  const result = await status(['--json'], extra);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Status;
}

describe('daytona-tray status', () => {
  it('fresh install: the local profile, no server, every client', async () => {
    const report = await statusJson();
    expect(report.profile).toEqual({ name: 'local', kind: 'local', apiKey: 'none needed' });
    expect(report.server).toMatchObject({ state: 'not running', runtimeFile: runtimeFileOf(appDir()) });
    expect(report.clients.map((c) => [c.id, c.installed, c.connected])).toEqual(CLIENT_IDS.map((id) => [id, id === 'cursor', false]));
    const text = await status([]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Profile:     local (the embedded local provider)\n');
    expect(text.stdout).toContain('MCP server:  not running\n');
    expect(text.stdout).toMatch(/^ {2}cursor +not connected$/m);
    expect(text.stdout).toMatch(/^ {2}windsurf +not installed$/m);
  });

  it('a server run by the supervisor: running, with its URL and pid, and never its token', async () => {
    supervisor = createMcpSupervisor({
      loadConfig: async () => ({
        profile: { name: 'dev', kind: 'cloud', apiUrl: provider.provider.apiUrl, apiKey: provider.provider.apiKey, source: 'keychain' },
        port: 0,
        disabledGroups: [],
      }),
      cliScript: CLI,
      env: env(),
      profileCheckMs: 0,
    });
    await supervisor.start();
    await expect.poll(() => supervisor!.status().state, { timeout: 30_000 }).toBe('running');
    const { pid, url, port } = supervisor.status();
    const report = await statusJson();
    expect(report.server).toMatchObject({ state: 'running', url, port, pid });
    const text = await status([]);
    expect(text.stdout).toContain(`MCP server:  running at ${url} (pid ${pid}, since `);
    const { token } = JSON.parse(await readFile(runtimeFileOf(appDir()), 'utf8')) as { token: string };
    expect(text.stdout + JSON.stringify(report)).not.toContain(token);
    expect(text.stdout + JSON.stringify(report)).not.toContain(provider.provider.apiKey);
  });

  it('a runtime file left by a dead server: not running, and says why', async () => {
    await mkdir(appDir(), { recursive: true });
    const dead = 2 ** 22 + 12345; // above pid_max's default: never a live process
    await writeFile(
      runtimeFileOf(appDir()),
      JSON.stringify({
        version: 1,
        url: 'http://127.0.0.1:9/mcp',
        port: 9,
        token: 'x'.repeat(43),
        pid: dead,
        startedAt: new Date().toISOString(),
      }),
    );
    const report = await statusJson();
    expect(report.server).toEqual({
      state: 'not running',
      runtimeFile: runtimeFileOf(appDir()),
      note: `The runtime file was left by a server (pid ${dead}) that has exited (a crash or a kill); the next start replaces it.`,
    });
  });

  it('a cloud profile with no keychain reachable: the problem and what to do, without hanging', async () => {
    await mkdir(appDir(), { recursive: true });
    await writeFile(join(appDir(), 'settings.json'), JSON.stringify({ version: 1, activeProfile: 'cloud' }));
    const report = await statusJson();
    expect(report.profile).toMatchObject({ name: 'cloud', kind: 'cloud', apiUrl: 'https://app.daytona.io/api', apiKey: 'unknown' });
    expect(report.profile.problem).toContain('No Secret Service is running in this session');
  });

  it('DAYTONA_API_URL + DAYTONA_API_KEY in the environment: reported as the key source, the key itself never printed', async () => {
    const key = 'dtn_status_env_key_0123456789';
    const report = await statusJson({ DAYTONA_API_URL: provider.provider.apiUrl, DAYTONA_API_KEY: key });
    expect(report.profile).toMatchObject({ name: 'env', kind: 'cloud', apiUrl: provider.provider.apiUrl, apiKey: 'environment' });
    const text = await status([], { DAYTONA_API_URL: provider.provider.apiUrl, DAYTONA_API_KEY: key });
    expect(text.stdout).toContain('API key from DAYTONA_API_KEY');
    expect(text.stdout + JSON.stringify(report)).not.toContain(key);
  });

  it('rejects unknown options with usage (exit 2)', async () => {
    const result = await status(['--verbose']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: daytona-tray status [--json]');
  });
});
