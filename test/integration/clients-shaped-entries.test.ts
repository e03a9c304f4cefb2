import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse } from 'jsonc-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BridgeLaunch } from '../../main/core/clients/bridge-launch.ts';
import type { Host } from '../../main/core/clients/host.ts';
import { createClients } from '../../main/core/clients/registry.ts';
import type { ClientId } from '../../main/core/clients/types.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Clients whose entry is not `{command, args, env}` (the JSON matrix covers those): where each file is per
 * OS, the entry each expects, the user's file kept, and JetBrains (no file: JSON to paste).
 */
let home: string;
let cleanup: () => Promise<void>;
let launch: BridgeLaunch;
beforeEach(async () => {
  ({ path: home, cleanup } = await tempDir('clients-shaped-'));
  const script = join(home, 'app', 'out', 'main', 'cli.js');
  await mkdir(dirname(script), { recursive: true });
  await writeFile(script, '');
  await mkdir(join(home, 'empty-bin'));
  launch = { command: process.execPath, args: [script, 'bridge'], env: { ELECTRON_RUN_AS_NODE: '1' } };
});
afterEach(async () => cleanup());

const windowsEnv = (h: string) => ({ APPDATA: join(h, 'AppData', 'Roaming'), LOCALAPPDATA: join(h, 'AppData', 'Local') });
function clients(platform: NodeJS.Platform, env: Record<string, string> = {}) {
  const host: Host = { platform, home, env: { PATH: join(home, 'empty-bin'), ...env } };
  return createClients({ host, launch });
}

const CASES: {
  client: ClientId;
  platform: NodeJS.Platform;
  install: string[];
  file: string[];
  key: string;
  entry: () => Record<string, unknown>;
  /** Reads plain JSON only: a comment would be dropped (said in a note), so the fixture has none. */
  strict?: boolean;
}[] = [
  {
    client: 'zed',
    platform: 'linux',
    install: ['.config', 'zed'],
    file: ['.config', 'zed', 'settings.json'],
    key: 'context_servers',
    entry: () => ({ source: 'custom', command: launch.command, args: launch.args, env: launch.env }),
  },
  {
    client: 'zed',
    platform: 'darwin',
    install: ['.config', 'zed'],
    file: ['.config', 'zed', 'settings.json'],
    key: 'context_servers',
    entry: () => ({ source: 'custom', command: launch.command, args: launch.args, env: launch.env }),
  },
  {
    client: 'zed',
    platform: 'win32',
    install: ['AppData', 'Roaming', 'Zed'],
    file: ['AppData', 'Roaming', 'Zed', 'settings.json'],
    key: 'context_servers',
    entry: () => ({ source: 'custom', command: launch.command, args: launch.args, env: launch.env }),
  },
  {
    client: 'opencode',
    platform: 'linux',
    install: ['.config', 'opencode'],
    file: ['.config', 'opencode', 'opencode.json'],
    key: 'mcp',
    entry: () => ({ type: 'local', command: [launch.command, ...launch.args], enabled: true, environment: launch.env }),
  },
  {
    client: 'copilot-cli',
    platform: 'darwin',
    install: ['.copilot'],
    file: ['.copilot', 'mcp-config.json'],
    key: 'mcpServers',
    entry: () => ({ type: 'local', command: launch.command, args: launch.args, env: launch.env, tools: ['*'] }),
    strict: true,
  },
];

describe.each(CASES)('$client ($platform)', (c) => {
  it('writes the entry this client expects next to the user settings, and takes it out again', async () => {
    const file = join(home, ...c.file);
    await mkdir(join(home, ...c.install), { recursive: true });
    await mkdir(dirname(file), { recursive: true });
    const original = `{\n${c.strict ? '' : '  // mine\n'}  "theme": "One Dark",\n  "${c.key}": {\n    "other": {"command": "x"}\n  }\n}\n`;
    await writeFile(file, original);
    const client = clients(c.platform, c.platform === 'win32' ? windowsEnv(home) : {})[c.client];
    expect(client.locate()).toMatchObject({ configPath: file, installed: true });
    expect(await client.connect()).toMatchObject({ action: 'connected', file });
    const text = await readFile(file, 'utf8');
    if (!c.strict) expect(text).toContain('// mine');
    expect(parse(text)).toEqual({ theme: 'One Dark', [c.key]: { other: { command: 'x' }, daytona: c.entry() } });
    expect(await client.status()).toMatchObject({ entry: 'ours', current: true, connected: true });
    expect(await client.disconnect()).toMatchObject({ action: 'disconnected' });
    expect(await readFile(file, 'utf8')).toBe(original);
  });
});

describe('JetBrains AI Assistant', () => {
  it('has no file: connect hands over the JSON to paste and says where; status cannot know and says absent', async () => {
    await mkdir(join(home, '.config', 'JetBrains', 'IntelliJIdea2026.1'), { recursive: true });
    const jetbrains = clients('linux').jetbrains;
    expect(jetbrains.locate()).toMatchObject({ installed: true, configPath: expect.stringContaining('AI Assistant') });
    const result = await jetbrains.connect();
    expect(result).toMatchObject({ via: 'clipboard', notes: [expect.stringContaining('paste')] });
    expect(JSON.parse(result.clipboard!)).toEqual({
      mcpServers: { daytona: { command: launch.command, args: launch.args, env: launch.env } },
    });
    expect(await jetbrains.status()).toMatchObject({ installed: true, entry: 'absent' });
    expect(clients('darwin').jetbrains.locate().installed).toBe(false);
  });
});
