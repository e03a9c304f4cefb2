import { chmod, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BridgeLaunch } from '../../main/core/clients/bridge-launch.ts';
import { defaultPreset, withTools } from '../../main/core/clients/tool-presets.ts';
import { BACKUP_SUFFIX } from '../../main/core/clients/config-file.ts';
import type { Host } from '../../main/core/clients/host.ts';
import { createClients } from '../../main/core/clients/registry.ts';
import { ClientSetupError, type AiClient, type ClientId } from '../../main/core/clients/types.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Every client under every OS path rule, against real files in a temp HOME. The platform is passed in,
 * so macOS and Windows rules run here on Linux; `PATH` is an empty folder, so no real program is found.
 */
/**
 * The JSON clients whose entry is `{command, args, env}` (YAML and TOML ones have their own corpus:
 * clients-yaml-corpus, clients-toml-corpus; entries of other shapes and JetBrains: clients-shaped-entries).
 */
type JsonClientId = Exclude<ClientId, 'codex' | 'goose' | 'continue' | 'zed' | 'opencode' | 'copilot-cli' | 'jetbrains'>;

interface Rule {
  label: string;
  client: JsonClientId;
  platform: NodeJS.Platform;
  env?: (home: string) => Record<string, string>;
  /** Makes the client look installed (the folder or app its detection looks for). */
  install: (home: string) => string[];
  path: (home: string) => string;
}

const windowsEnv = (home: string) => ({
  USERPROFILE: home,
  APPDATA: join(home, 'AppData', 'Roaming'),
  LOCALAPPDATA: join(home, 'AppData', 'Local'),
});
const MSIX = ['AppData', 'Local', 'Packages', 'Claude_pzs8sxrjxfjjc'];

const RULES: Rule[] = [
  {
    label: 'macOS',
    client: 'claude-desktop',
    platform: 'darwin',
    install: (h) => [join(h, 'Library', 'Application Support', 'Claude')],
    path: (h) => join(h, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json'),
  },
  {
    label: 'Linux',
    client: 'claude-desktop',
    platform: 'linux',
    install: (h) => [join(h, '.config', 'Claude')],
    path: (h) => join(h, '.config', 'Claude', 'claude_desktop_config.json'),
  },
  {
    label: 'Linux, XDG_CONFIG_HOME',
    client: 'claude-desktop',
    platform: 'linux',
    env: (h) => ({ XDG_CONFIG_HOME: join(h, 'xdg') }),
    install: (h) => [join(h, 'xdg', 'Claude')],
    path: (h) => join(h, 'xdg', 'Claude', 'claude_desktop_config.json'),
  },
  {
    label: 'Windows classic',
    client: 'claude-desktop',
    platform: 'win32',
    env: windowsEnv,
    install: (h) => [join(h, 'AppData', 'Local', 'AnthropicClaude')],
    path: (h) => join(h, 'AppData', 'Roaming', 'Claude', 'claude_desktop_config.json'),
  },
  {
    label: 'Windows MSIX',
    client: 'claude-desktop',
    platform: 'win32',
    env: windowsEnv,
    install: (h) => [join(h, ...MSIX), join(h, 'AppData', 'Roaming', 'Claude')],
    path: (h) => join(h, ...MSIX, 'LocalCache', 'Roaming', 'Claude', 'claude_desktop_config.json'),
  },
  { label: 'Linux', client: 'claude-code', platform: 'linux', install: (h) => [join(h, '.claude')], path: (h) => join(h, '.claude.json') },
  {
    label: 'macOS, CLAUDE_CONFIG_DIR',
    client: 'claude-code',
    platform: 'darwin',
    env: (h) => ({ CLAUDE_CONFIG_DIR: join(h, 'cc') }),
    install: (h) => [join(h, 'cc')],
    path: (h) => join(h, 'cc', '.claude.json'),
  },
  {
    label: 'Windows',
    client: 'claude-code',
    platform: 'win32',
    env: windowsEnv,
    install: (h) => [join(h, '.claude')],
    path: (h) => join(h, '.claude.json'),
  },
  {
    label: 'macOS',
    client: 'cursor',
    platform: 'darwin',
    install: (h) => [join(h, '.cursor')],
    path: (h) => join(h, '.cursor', 'mcp.json'),
  },
  {
    label: 'Linux',
    client: 'cursor',
    platform: 'linux',
    install: (h) => [join(h, '.config', 'Cursor')],
    path: (h) => join(h, '.cursor', 'mcp.json'),
  },
  {
    label: 'Windows',
    client: 'cursor',
    platform: 'win32',
    env: windowsEnv,
    install: (h) => [join(h, 'AppData', 'Local', 'Programs', 'cursor')],
    path: (h) => join(h, '.cursor', 'mcp.json'),
  },
  {
    label: 'macOS',
    client: 'windsurf',
    platform: 'darwin',
    install: (h) => [join(h, '.codeium', 'windsurf')],
    path: (h) => join(h, '.codeium', 'windsurf', 'mcp_config.json'),
  },
  {
    label: 'Linux',
    client: 'windsurf',
    platform: 'linux',
    install: (h) => [join(h, '.codeium', 'windsurf')],
    path: (h) => join(h, '.codeium', 'windsurf', 'mcp_config.json'),
  },
  {
    label: 'Windows',
    client: 'windsurf',
    platform: 'win32',
    env: windowsEnv,
    install: (h) => [join(h, 'AppData', 'Roaming', 'Windsurf')],
    path: (h) => join(h, '.codeium', 'windsurf', 'mcp_config.json'),
  },
  {
    label: 'macOS',
    client: 'vscode',
    platform: 'darwin',
    install: (h) => [join(h, 'Library', 'Application Support', 'Code')],
    path: (h) => join(h, 'Library', 'Application Support', 'Code', 'User', 'mcp.json'),
  },
  {
    label: 'Linux',
    client: 'vscode',
    platform: 'linux',
    install: (h) => [join(h, '.config', 'Code')],
    path: (h) => join(h, '.config', 'Code', 'User', 'mcp.json'),
  },
  {
    label: 'Windows',
    client: 'vscode',
    platform: 'win32',
    env: windowsEnv,
    install: (h) => [join(h, 'AppData', 'Roaming', 'Code')],
    path: (h) => join(h, 'AppData', 'Roaming', 'Code', 'User', 'mcp.json'),
  },
  {
    label: 'macOS',
    client: 'cline',
    platform: 'darwin',
    install: (h) => [join(h, '.vscode', 'extensions', 'saoudrizwan.claude-dev-3.40.0')],
    path: (h) =>
      join(
        h,
        'Library',
        'Application Support',
        'Code',
        'User',
        'globalStorage',
        'saoudrizwan.claude-dev',
        'settings',
        'cline_mcp_settings.json',
      ),
  },
  {
    label: 'Linux',
    client: 'cline',
    platform: 'linux',
    install: (h) => [join(h, '.config', 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev')],
    path: (h) => join(h, '.config', 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json'),
  },
  {
    label: 'Windows',
    client: 'cline',
    platform: 'win32',
    env: windowsEnv,
    install: (h) => [join(h, '.vscode', 'extensions', 'saoudrizwan.claude-dev-3.40.0')],
    path: (h) =>
      join(h, 'AppData', 'Roaming', 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json'),
  },
  {
    label: 'macOS',
    client: 'cline-cursor',
    platform: 'darwin',
    install: (h) => [join(h, '.cursor', 'extensions', 'saoudrizwan.claude-dev-3.40.0')],
    path: (h) =>
      join(
        h,
        'Library',
        'Application Support',
        'Cursor',
        'User',
        'globalStorage',
        'saoudrizwan.claude-dev',
        'settings',
        'cline_mcp_settings.json',
      ),
  },
  {
    label: 'Linux',
    client: 'cline-cursor',
    platform: 'linux',
    install: (h) => [join(h, '.config', 'Cursor', 'User', 'globalStorage', 'saoudrizwan.claude-dev')],
    path: (h) => join(h, '.config', 'Cursor', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json'),
  },
  {
    label: 'Windows',
    client: 'cline-cursor',
    platform: 'win32',
    env: windowsEnv,
    install: (h) => [join(h, '.cursor', 'extensions', 'saoudrizwan.claude-dev-3.40.0')],
    path: (h) =>
      join(h, 'AppData', 'Roaming', 'Cursor', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json'),
  },
  {
    label: 'Linux',
    client: 'gemini',
    platform: 'linux',
    install: (h) => [join(h, '.gemini')],
    path: (h) => join(h, '.gemini', 'settings.json'),
  },
  {
    label: 'Windows',
    client: 'gemini',
    platform: 'win32',
    env: windowsEnv,
    install: (h) => [join(h, '.gemini')],
    path: (h) => join(h, '.gemini', 'settings.json'),
  },
  {
    label: 'Linux',
    client: 'qwen',
    platform: 'linux',
    install: (h) => [join(h, '.qwen')],
    path: (h) => join(h, '.qwen', 'settings.json'),
  },
  {
    label: 'Windows',
    client: 'qwen',
    platform: 'win32',
    env: windowsEnv,
    install: (h) => [join(h, '.qwen')],
    path: (h) => join(h, '.qwen', 'settings.json'),
  },
  {
    label: 'macOS',
    client: 'kiro',
    platform: 'darwin',
    install: (h) => [join(h, '.kiro')],
    path: (h) => join(h, '.kiro', 'settings', 'mcp.json'),
  },
  {
    label: 'Windows',
    client: 'kiro',
    platform: 'win32',
    env: windowsEnv,
    install: (h) => [join(h, 'AppData', 'Local', 'Programs', 'Kiro')],
    path: (h) => join(h, '.kiro', 'settings', 'mcp.json'),
  },
  {
    label: 'Linux',
    client: 'lm-studio',
    platform: 'linux',
    install: (h) => [join(h, '.lmstudio')],
    path: (h) => join(h, '.lmstudio', 'mcp.json'),
  },
  {
    label: 'Windows',
    client: 'lm-studio',
    platform: 'win32',
    env: windowsEnv,
    install: (h) => [join(h, '.lmstudio')],
    path: (h) => join(h, '.lmstudio', 'mcp.json'),
  },
  {
    label: 'Linux',
    client: 'amazon-q',
    platform: 'linux',
    install: (h) => [join(h, '.aws', 'amazonq')],
    path: (h) => join(h, '.aws', 'amazonq', 'mcp.json'),
  },
  {
    label: 'macOS',
    client: 'amazon-q',
    platform: 'darwin',
    install: (h) => [join(h, '.aws', 'amazonq')],
    path: (h) => join(h, '.aws', 'amazonq', 'mcp.json'),
  },
  {
    label: 'Linux',
    client: 'crush',
    platform: 'linux',
    install: (h) => [join(h, '.config', 'crush')],
    path: (h) => join(h, '.config', 'crush', 'crush.json'),
  },
  {
    label: 'Windows',
    client: 'crush',
    platform: 'win32',
    env: windowsEnv,
    install: (h) => [join(h, 'AppData', 'Local', 'crush')],
    path: (h) => join(h, 'AppData', 'Local', 'crush', 'crush.json'),
  },
];

/** How each client spells the servers object and our entry. */
const SHAPE: Record<JsonClientId, { key: string; withType: boolean; strict: boolean }> = {
  'claude-desktop': { key: 'mcpServers', withType: false, strict: true },
  'claude-code': { key: 'mcpServers', withType: true, strict: true },
  cursor: { key: 'mcpServers', withType: false, strict: false },
  windsurf: { key: 'mcpServers', withType: false, strict: false },
  vscode: { key: 'servers', withType: true, strict: false },
  cline: { key: 'mcpServers', withType: false, strict: true },
  'cline-cursor': { key: 'mcpServers', withType: false, strict: true },
  gemini: { key: 'mcpServers', withType: false, strict: false },
  qwen: { key: 'mcpServers', withType: false, strict: false },
  kiro: { key: 'mcpServers', withType: false, strict: false },
  'lm-studio': { key: 'mcpServers', withType: false, strict: true },
  'amazon-q': { key: 'mcpServers', withType: false, strict: true },
  crush: { key: 'mcp', withType: true, strict: true },
};

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(ClientSetupError);
      return error as ClientSetupError;
    },
  );

describe.each(RULES)('$client ($label)', (rule) => {
  const shape = SHAPE[rule.client];
  let home: string;
  let cleanup: () => Promise<void>;
  let launch: BridgeLaunch;
  let file: string;
  let beforeRename: (() => Promise<void>) | undefined;

  function client(): AiClient {
    const host: Host = { platform: rule.platform, home, env: { PATH: join(home, 'empty-bin'), ...rule.env?.(home) } };
    return createClients({ host, launch, beforeRename: () => beforeRename?.() ?? Promise.resolve() })[rule.client];
  }
  // What setup writes: the launch, plus the client's default tool preset (Cursor: `--tools` under its cap).
  const preset = defaultPreset(rule.client);
  const ours = () => ({
    ...(shape.withType ? { type: 'stdio' } : {}),
    command: launch.command,
    args: withTools(launch, preset, preset).args,
  });
  const read = async () => JSON.parse(await readFile(file, 'utf8'));
  const write = async (content: string | Buffer) => {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  };
  /** The file and anything named after it (temp files, backups) in its folder. */
  const listing = async () => (await readdir(dirname(file))).filter((name) => name.includes(basename(file))).sort();

  beforeEach(async () => {
    ({ path: home, cleanup } = await tempDir('clients-matrix-'));
    // The bridge script our entry points at: a real file, so "command exists" is checked for real.
    const script = join(home, 'app', 'out', 'main', 'cli.js');
    await mkdir(dirname(script), { recursive: true });
    await writeFile(script, '');
    await mkdir(join(home, 'empty-bin'));
    launch = { command: process.execPath, args: [script, 'bridge'], env: {} };
    file = rule.path(home);
    beforeRename = undefined;
  });
  afterEach(async () => cleanup());

  describe('installed', () => {
    beforeEach(async () => {
      for (const dir of rule.install(home)) await mkdir(dir, { recursive: true });
    });

    it('finds the config file this OS rule names and reports not connected', async () => {
      const c = client();
      expect(c.locate()).toMatchObject({ configPath: file, installed: true });
      expect(await c.status()).toMatchObject({ installed: true, configPath: file, entry: 'absent', connected: false, commandExists: null });
    });

    it('fresh install: creates the file (and missing folders) with our stdio entry, private; status connected', async () => {
      const result = await client().connect();
      expect(result).toMatchObject({ id: rule.client, action: 'connected', file, via: 'file', dryRun: false });
      expect(result.backup).toBeUndefined();
      expect(await read()).toEqual({ [shape.key]: { daytona: ours() } });
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await client().status()).toMatchObject({ entry: 'ours', current: true, commandExists: true, connected: true });
    });

    it('existing file with other servers and unknown keys: all kept, byte for byte', async () => {
      const github = '{"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"], "env": {"GITHUB_TOKEN": "ghp_example"}}';
      const original = `{\n  "futureKey": {"nested": [1, 2, {"x": null}]},\n  "${shape.key}": {\n    "github": ${github}\n  },\n  "numStartups": 7\n}\n`;
      await write(original);
      const result = await client().connect();
      expect(result.action).toBe('connected');
      const text = await readFile(file, 'utf8');
      expect(text).toContain(`    "github": ${github},\n`);
      expect(text).toContain('  "futureKey": {"nested": [1, 2, {"x": null}]},\n');
      expect(await read()).toEqual({
        futureKey: { nested: [1, 2, { x: null }] },
        [shape.key]: { github: JSON.parse(github), daytona: ours() },
        numStartups: 7,
      });
      expect(await readFile(`${file}${BACKUP_SUFFIX}`, 'utf8')).toBe(original);
    });

    it('BOM, comments and trailing commas are read; the other values survive', async () => {
      await write(
        `\uFEFF{\n  // my servers\n  "${shape.key}": {\n    "x": {"command": "/bin/x",},\n  },\n  "theme": "dark", /* trailing */\n}\n`,
      );
      const result = await client().connect();
      const text = await readFile(file, 'utf8');
      expect(text.startsWith('\uFEFF')).toBe(false);
      const { parse } = await import('jsonc-parser');
      expect(parse(text, [], { allowTrailingComma: true })).toEqual({
        [shape.key]: { x: { command: '/bin/x' }, daytona: ours() },
        theme: 'dark',
      });
      if (shape.strict) {
        // This client ignores a file with comments or trailing commas: it must get plain JSON.
        expect(() => JSON.parse(text)).not.toThrow();
        expect(result.notes.join(' ')).toMatch(/Comments and trailing commas were dropped/);
      } else {
        expect(text).toContain('// my servers');
        expect(text).toContain('/* trailing */');
      }
    });

    it('an unparseable file is refused with its name and line, and stays byte-identical', async () => {
      const broken = Buffer.from(`{\n  "${shape.key}": {\n    "x": {"command": "/bin/x"}\n    "y": {}\n  }\n}\n`);
      await write(broken);
      const error = await refusal(client().connect());
      expect(error.code).toBe('PARSE');
      expect(error.message).toContain(`Cannot parse ${file} (line 4, column 5`);
      expect(await readFile(file)).toEqual(broken);
      expect(await listing()).toEqual([file.split('/').pop()]);
      expect(await client().status()).toMatchObject({ entry: 'absent', problem: expect.stringContaining('Cannot parse') });
    });

    it('a non-object root is refused, file untouched', async () => {
      await write('[{"mcpServers": {}}]');
      expect((await refusal(client().connect())).code).toBe('NOT_OBJECT');
      expect(await readFile(file, 'utf8')).toBe('[{"mcpServers": {}}]');
    });

    it(`a non-object servers key is refused, file untouched`, async () => {
      await write(`{"${shape.key}": ["not", "an", "object"]}`);
      const error = await refusal(client().connect());
      expect(error).toMatchObject({ code: 'BAD_SHAPE', message: expect.stringContaining(`"${shape.key}" is not an object`) });
      expect(await readFile(file, 'utf8')).toBe(`{"${shape.key}": ["not", "an", "object"]}`);
    });

    it('a directory where the file should be is refused and left alone', async () => {
      await mkdir(join(file, 'inner'), { recursive: true });
      const error = await refusal(client().connect());
      expect(error.code).toBe('NOT_A_FILE');
      expect(error.message).toContain(`${file} is a directory`);
      expect(await readdir(file)).toEqual(['inner']);
    });

    it('a read-only file is refused, content and mode unchanged', async () => {
      await write(`{"${shape.key}": {}}`);
      await chmod(file, 0o444);
      expect((await refusal(client().connect())).code).toBe('READ_ONLY');
      expect(await readFile(file, 'utf8')).toBe(`{"${shape.key}": {}}`);
      expect((await stat(file)).mode & 0o777).toBe(0o444);
      expect(await listing()).toEqual([file.split('/').pop()]);
    });

    it('a symlinked file: the target is written, the link is kept', async () => {
      const real = join(home, 'dotfiles', 'client.json');
      await mkdir(dirname(real), { recursive: true });
      await writeFile(real, `{"${shape.key}": {"x": {"command": "/bin/x"}}}`);
      await mkdir(dirname(file), { recursive: true });
      await symlink(real, file);
      await client().connect();
      expect((await lstat(file)).isSymbolicLink()).toBe(true);
      expect(await readlink(file)).toBe(real);
      expect(JSON.parse(await readFile(real, 'utf8'))).toEqual({ [shape.key]: { x: { command: '/bin/x' }, daytona: ours() } });
      expect(await client().status()).toMatchObject({ connected: true });
    });

    it("a concurrent change during the write aborts; the other program's content is kept", async () => {
      await write(`{"${shape.key}": {}}`);
      const theirs = `{"${shape.key}": {"added-meanwhile": {"command": "/bin/y"}}}`;
      beforeRename = () => writeFile(file, theirs);
      const error = await refusal(client().connect());
      expect(error.code).toBe('CONCURRENT_CHANGE');
      expect(await readFile(file, 'utf8')).toBe(theirs);
      expect(await listing()).toEqual([file.split('/').pop()]);
      beforeRename = undefined;
      await client().connect(); // a retry then works and keeps their server
      expect(await read()).toEqual({ [shape.key]: { 'added-meanwhile': { command: '/bin/y' }, daytona: ours() } });
    });

    it('connect twice is idempotent: the second one writes nothing', async () => {
      await write(`{"${shape.key}": {"x": {"command": "/bin/x"}}}`);
      await client().connect();
      const before = await readFile(file);
      const inode = (await stat(file)).ino;
      const again = await client().connect();
      expect(again.action).toBe('unchanged');
      expect(await readFile(file)).toEqual(before);
      expect((await stat(file)).ino).toBe(inode);
    });

    it('a stale entry of ours (an older install) is updated; the backup of the first change is kept', async () => {
      const stale = { ...(shape.withType ? { type: 'stdio' } : {}), command: '/gone/node', args: ['/gone/out/main/cli.js', 'bridge'] };
      await write(JSON.stringify({ [shape.key]: { daytona: stale, x: {} } }, null, 2));
      expect(await client().status()).toMatchObject({ entry: 'ours', current: false, commandExists: false, connected: false });
      const result = await client().connect();
      expect(result.action).toBe('updated');
      expect(await read()).toEqual({ [shape.key]: { daytona: ours(), x: {} } });
      expect(JSON.parse(await readFile(result.backup!, 'utf8'))).toEqual({ [shape.key]: { daytona: stale, x: {} } });
    });

    it('a "daytona" entry someone else wrote is refused without force, replaced with it', async () => {
      const foreign = { command: 'daytona', args: ['mcp', 'start'] };
      await write(JSON.stringify({ [shape.key]: { daytona: foreign } }));
      expect(await client().status()).toMatchObject({ entry: 'foreign', connected: false });
      expect((await refusal(client().connect())).code).toBe('FOREIGN_ENTRY');
      expect((await refusal(client().disconnect())).code).toBe('FOREIGN_ENTRY');
      expect(await read()).toEqual({ [shape.key]: { daytona: foreign } });
      expect((await client().connect({ force: true })).action).toBe('updated');
      expect(await read()).toEqual({ [shape.key]: { daytona: ours() } });
    });

    it('disconnect removes only our entry; a second disconnect finds nothing', async () => {
      const original = `{\n  "keep": true,\n  "${shape.key}": {\n    "a": {"command": "/bin/a"},\n    "b": {"command": "/bin/b"}\n  }\n}\n`;
      await write(original);
      await client().connect();
      const result = await client().disconnect();
      expect(result.action).toBe('disconnected');
      expect(await readFile(file, 'utf8')).toBe(original);
      expect((await client().disconnect()).action).toBe('absent');
      expect(await client().status()).toMatchObject({ entry: 'absent', connected: false });
    });

    it('a dry run returns the diff and writes nothing', async () => {
      await write(`{"${shape.key}": {}}\n`);
      const result = await client().connect({ dryRun: true });
      expect(result).toMatchObject({ action: 'connected', dryRun: true });
      expect(result.diff).toContain(`--- ${file}`);
      expect(result.diff).toContain(`-{"${shape.key}": {}}\n+{"${shape.key}": {"daytona":${JSON.stringify(ours())}}}\n`);
      expect(await readFile(file, 'utf8')).toBe(`{"${shape.key}": {}}\n`);
      expect(await listing()).toEqual([file.split('/').pop()]);
    });
  });

  it('not installed: connect is refused and nothing is created', async () => {
    const c = client();
    expect(c.locate().installed).toBe(false);
    const before = await readdir(home, { recursive: true });
    expect((await refusal(c.connect())).code).toBe('NOT_INSTALLED');
    expect(await readdir(home, { recursive: true })).toEqual(before);
    expect((await c.disconnect()).action).toBe('absent');
  });
});

describe('Claude Desktop on Windows: classic and MSIX', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ path: home, cleanup } = await tempDir('clients-msix-'));
  });
  afterEach(async () => cleanup());

  const desktop = () =>
    createClients({
      host: { platform: 'win32', home, env: { Path: join(home, 'bin'), ...windowsEnv(home) } },
      launch: { command: process.execPath, args: [join(home, 'out', 'main', 'cli.js'), 'bridge'], env: { ELECTRON_RUN_AS_NODE: '1' } },
    })['claude-desktop'];

  it('with the MSIX package present, writes its virtualized file (not %APPDATA%) and says why', async () => {
    const classic = join(home, 'AppData', 'Roaming', 'Claude', 'claude_desktop_config.json');
    await mkdir(dirname(classic), { recursive: true });
    await writeFile(classic, '{"mcpServers": {"x": {"command": "/bin/x"}}}');
    await mkdir(join(home, ...MSIX), { recursive: true });
    const result = await desktop().connect();
    expect(result.file).toBe(join(home, ...MSIX, 'LocalCache', 'Roaming', 'Claude', 'claude_desktop_config.json'));
    expect(result.notes[0]).toMatch(/Microsoft Store \(MSIX\) build/);
    expect(JSON.parse(await readFile(result.file, 'utf8')).mcpServers.daytona.env).toEqual({ ELECTRON_RUN_AS_NODE: '1' });
    expect(await readFile(classic, 'utf8')).toBe('{"mcpServers": {"x": {"command": "/bin/x"}}}');
  });

  it('disconnect also removes our entry left in the classic file by an earlier install', async () => {
    const classic = join(home, 'AppData', 'Roaming', 'Claude', 'claude_desktop_config.json');
    await mkdir(dirname(classic), { recursive: true });
    await writeFile(
      classic,
      JSON.stringify({
        mcpServers: {
          x: {},
          daytona: { command: 'C:\\old\\Daytona Tray.exe', args: ['C:\\old\\resources\\app.asar\\out\\main\\cli.js', 'bridge'] },
        },
      }),
    );
    await mkdir(join(home, ...MSIX), { recursive: true });
    await desktop().connect();
    const result = await desktop().disconnect();
    expect(result.action).toBe('disconnected');
    expect(result.notes.join('\n')).toContain(`Also removed the entry from ${classic}`);
    expect(JSON.parse(await readFile(classic, 'utf8'))).toEqual({ mcpServers: { x: {} } });
  });
});
