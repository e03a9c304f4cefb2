import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { parseConfigYaml } from '@continuedev/config-yaml';
import { parse as parseYaml } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BridgeLaunch } from '../../main/core/clients/bridge-launch.ts';
import { createClients } from '../../main/core/clients/registry.ts';
import type { ClientId } from '../../main/core/clients/types.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Updating an entry of ours in the clients whose entry has its own shape: the user's env vars (Goose `envs`,
 * OpenCode `environment`, Copilot/Zed/Continue `env`) and their choices (Goose `enabled`/`timeout`, Copilot's
 * `tools`) survive an update from an older install; our launch is set. And Continue's required top-level keys
 * in a config.yaml that setup creates, checked with Continue's own config parser. Real files in a temp HOME, Linux rules.
 */
let home: string;
let cleanup: () => Promise<void>;
let launch: BridgeLaunch;
const OLD = ['/opt/old/out/main/cli.js', 'bridge'];

beforeEach(async () => {
  ({ path: home, cleanup } = await tempDir('clients-shaped-updates-'));
  const script = join(home, 'app', 'out', 'main', 'cli.js');
  await mkdir(dirname(script), { recursive: true });
  await writeFile(script, '');
  await mkdir(join(home, 'empty-bin'));
  launch = { command: process.execPath, args: [script, 'bridge'], env: { ELECTRON_RUN_AS_NODE: '1' } };
});
afterEach(async () => cleanup());

const client = (id: ClientId) => createClients({ host: { platform: 'linux', home, env: { PATH: join(home, 'empty-bin') } }, launch })[id];

async function put(path: string[], text: string): Promise<string> {
  const file = join(home, ...path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

describe('Goose', () => {
  const gooseFile = () => join(home, '.config', 'goose', 'config.yaml');
  const daytona = async () =>
    (parseYaml(await readFile(gooseFile(), 'utf8')) as { extensions: Record<string, unknown> }).extensions.daytona;

  it("an update from an older install keeps the user's envs, enabled and timeout, and sets our launch", async () => {
    await put(
      ['.config', 'goose', 'config.yaml'],
      [
        'extensions:',
        '  daytona:',
        '    name: daytona',
        '    type: stdio',
        '    cmd: /opt/old/node',
        `    args: [${OLD.join(', ')}]`,
        '    envs: {HTTPS_PROXY: "http://proxy:3128", ELECTRON_RUN_AS_NODE: "1"}',
        '    enabled: false',
        '    timeout: 900',
        '    description: Daytona sandboxes, through Daytona Tray',
        '',
      ].join('\n'),
    );
    const result = await client('goose').connect();
    expect(result.action).toBe('updated');
    expect(result.notes).toContain('Kept your additions to the "daytona" entry: enabled, timeout, envs.HTTPS_PROXY.');
    expect(await daytona()).toEqual({
      name: 'daytona',
      type: 'stdio',
      cmd: process.execPath,
      args: launch.args,
      envs: { HTTPS_PROXY: 'http://proxy:3128', ELECTRON_RUN_AS_NODE: '1' },
      enabled: false,
      timeout: 900,
      description: 'Daytona sandboxes, through Daytona Tray',
    });
    // Now it is as setup writes it: status current, a second setup changes nothing.
    expect(await client('goose').status()).toMatchObject({ entry: 'ours', current: true, connected: true });
    expect((await client('goose').connect()).action).toBe('unchanged');
  });

  it('a fresh entry gets the fields Goose expects on every extension', async () => {
    await mkdir(join(home, '.config', 'goose'), { recursive: true });
    await client('goose').connect();
    expect(await daytona()).toEqual({
      name: 'daytona',
      type: 'stdio',
      cmd: process.execPath,
      args: launch.args,
      envs: { ELECTRON_RUN_AS_NODE: '1' },
      enabled: true,
      timeout: 300,
      description: 'Daytona sandboxes, through Daytona Tray',
    });
  });
});

describe.each([
  {
    id: 'opencode' as const,
    path: ['.config', 'opencode', 'opencode.json'],
    old: { type: 'local', command: ['/opt/old/node', ...OLD], enabled: false, environment: { HTTPS_PROXY: 'http://p:1' } },
    expected: () => ({
      type: 'local',
      command: [process.execPath, ...launch.args],
      enabled: false,
      environment: { HTTPS_PROXY: 'http://p:1', ELECTRON_RUN_AS_NODE: '1' },
    }),
    key: 'mcp',
  },
  {
    id: 'copilot-cli' as const,
    path: ['.copilot', 'mcp-config.json'],
    old: { type: 'local', command: '/opt/old/node', args: OLD, env: { HTTPS_PROXY: 'http://p:1' }, tools: ['list_sandboxes'] },
    expected: () => ({
      type: 'local',
      command: process.execPath,
      args: launch.args,
      env: { HTTPS_PROXY: 'http://p:1', ELECTRON_RUN_AS_NODE: '1' },
      tools: ['list_sandboxes'],
    }),
    key: 'mcpServers',
  },
  {
    id: 'zed' as const,
    path: ['.config', 'zed', 'settings.json'],
    old: { source: 'custom', command: '/opt/old/node', args: OLD, env: { HTTPS_PROXY: 'http://p:1' } },
    expected: () => ({
      source: 'custom',
      command: process.execPath,
      args: launch.args,
      env: { HTTPS_PROXY: 'http://p:1', ELECTRON_RUN_AS_NODE: '1' },
    }),
    key: 'context_servers',
  },
])('$id', (c) => {
  it("an update from an older install keeps the user's env vars and choices", async () => {
    const file = await put(c.path, JSON.stringify({ [c.key]: { daytona: c.old } }, null, 2));
    expect((await client(c.id).connect()).action).toBe('updated');
    expect(parseJsonc(await readFile(file, 'utf8'))[c.key].daytona).toEqual(c.expected());
    expect((await client(c.id).connect()).action).toBe('unchanged');
  });
});

describe('Continue', () => {
  const file = () => join(home, '.continue', 'config.yaml');

  it('a config.yaml setup creates has the name, version and schema Continue requires; unsetup removes it again', async () => {
    await mkdir(join(home, '.continue'));
    expect((await client('continue').connect()).action).toBe('connected');
    const text = await readFile(file(), 'utf8');
    expect(parseYaml(text)).toEqual({
      name: 'Local Assistant',
      version: '1.0.0',
      schema: 'v1',
      mcpServers: [{ name: 'daytona', type: 'stdio', command: process.execPath, args: launch.args, env: { ELECTRON_RUN_AS_NODE: '1' } }],
    });
    expect(text.startsWith('name: Local Assistant\nversion: 1.0.0\nschema: v1\n')).toBe(true);
    expect(await client('continue').status()).toMatchObject({ entry: 'ours', current: true });
    const removed = await client('continue').disconnect();
    expect(removed.notes).toContain(`Removed ${file()}: setup created it and it holds nothing else.`);
    expect(await readdir(join(home, '.continue'))).toEqual([]);
  });

  it("Continue's own config parser (@continuedev/config-yaml) reads the file setup created, with our server in it", async () => {
    await mkdir(join(home, '.continue'));
    await client('continue').connect();
    const text = await readFile(file(), 'utf8');
    const config = parseConfigYaml(text);
    expect(config.mcpServers).toEqual([
      { name: 'daytona', type: 'stdio', command: process.execPath, args: launch.args, env: { ELECTRON_RUN_AS_NODE: '1' } },
    ]);
    // Without the seeded keys Continue refuses the file: why setup writes them.
    const bare = text.replace('name: Local Assistant\nversion: 1.0.0\nschema: v1\n', '');
    expect(() => parseConfigYaml(bare)).toThrow(/name: Required, version: Required/);
  });

  it('an existing file without them is left as it is, with a note saying what Continue needs', async () => {
    await put(['.continue', 'config.yaml'], 'name: mine\nmodels: []\n');
    const result = await client('continue').connect();
    expect(result.notes).toContain(
      `${file()} lacks version and schema, which Continue requires at its top: add them (setup changes only its own entry).`,
    );
    expect(parseYaml(await readFile(file(), 'utf8'))).toMatchObject({ name: 'mine', models: [] });
    expect(await readFile(file(), 'utf8')).not.toContain('schema');
  });

  it('an update keeps the env vars the user added to our entry', async () => {
    await put(
      ['.continue', 'config.yaml'],
      `name: a\nversion: 1.0.0\nschema: v1\nmcpServers:\n  - name: daytona\n    type: stdio\n    command: /opt/old/node\n    args: [${OLD.join(', ')}]\n    env: {HTTPS_PROXY: "http://p:1"}\n`,
    );
    expect((await client('continue').connect()).action).toBe('updated');
    const servers = (parseYaml(await readFile(file(), 'utf8')) as { mcpServers: Record<string, unknown>[] }).mcpServers;
    expect(servers[0]).toEqual({
      name: 'daytona',
      type: 'stdio',
      command: process.execPath,
      args: launch.args,
      env: { HTTPS_PROXY: 'http://p:1', ELECTRON_RUN_AS_NODE: '1' },
    });
  });
});
