import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_IDS } from '../../main/core/clients/types.ts';
import { CLI } from '../helpers/paths.ts';
import { runCliToExit } from '../helpers/local-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** `daytona-tray setup | unsetup | clients` as a user runs them: the built CLI, a temp HOME, no client programs on PATH. */
let home: string;
let cleanup: () => Promise<void>;

const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCliToExit(args, { HOME: home, PATH: join(home, 'bin'), ...extraEnv });

const cursorFile = () => join(home, '.cursor', 'mcp.json');
const vscodeFile = () => join(home, '.config', 'Code', 'User', 'mcp.json');

beforeEach(async () => {
  ({ path: home, cleanup } = await tempDir('clients-cli-'));
  await mkdir(join(home, 'bin'));
  await mkdir(join(home, '.cursor'));
  await mkdir(join(home, '.config', 'Code'), { recursive: true });
});
afterEach(async () => cleanup());

describe('daytona-tray clients', () => {
  it('--json lists every client with install state and config path', async () => {
    const { code, stdout } = await cli(['clients', '--json']);
    expect(code).toBe(0);
    const statuses = JSON.parse(stdout) as { id: string; installed: boolean; configPath: string; connected: boolean }[];
    const installed = new Set(['cursor', 'vscode']);
    expect(statuses.map((s) => [s.id, s.installed, s.connected])).toEqual(CLIENT_IDS.map((id) => [id, installed.has(id), false]));
    expect(statuses.find((s) => s.id === 'vscode')!.configPath).toBe(vscodeFile());
  });

  it('the table says connected after setup, and explains an unreadable file', async () => {
    await cli(['setup', 'cursor']);
    await mkdir(join(home, '.config', 'Code', 'User'));
    await writeFile(vscodeFile(), '{ "servers": ');
    const { code, stdout } = await cli(['clients']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^cursor +yes +connected +sandbox,files,process,git,preview +\S+mcp\.json$/m);
    expect(stdout).toMatch(/^windsurf +no +not connected/m);
    expect(stdout).toContain(`VS Code: Cannot parse ${vscodeFile()} (line 1`);
  });
});

describe('daytona-tray setup', () => {
  it('writes the bridge entry with absolute paths: this node and the built CLI', async () => {
    const { code, stdout, stderr } = await cli(['setup', 'cursor']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Cursor: connected (${cursorFile()}).`);
    expect(JSON.parse(await readFile(cursorFile(), 'utf8'))).toEqual({
      mcpServers: { daytona: { command: process.execPath, args: [CLI, 'bridge', '--tools', 'sandbox,files,process,git,preview'] } },
    });
  });

  it('--dry-run prints a unified diff and writes nothing', async () => {
    await writeFile(cursorFile(), '{\n  "mcpServers": {}\n}\n');
    const { code, stdout } = await cli(['setup', 'cursor', '--dry-run']);
    expect(code).toBe(0);
    expect(stdout).toContain('Cursor: would connect (dry run: nothing written)');
    expect(stdout).toContain(`--- ${cursorFile()}\tcurrent\n+++ ${cursorFile()}\tafter\n`);
    expect(stdout).toContain(`+    "daytona": {\n+      "command": ${JSON.stringify(process.execPath)},`);
    expect(await readFile(cursorFile(), 'utf8')).toBe('{\n  "mcpServers": {}\n}\n');
    expect(await readdir(join(home, '.cursor'))).toEqual(['mcp.json']);
  });

  it('all: connects every installed client, skips the rest, and a second run changes nothing', async () => {
    const first = await cli(['setup', 'all']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Claude Desktop: not installed, skipped.');
    expect(first.stdout).toContain('Cursor: connected');
    expect(first.stdout).toContain('VS Code: connected');
    expect(JSON.parse(await readFile(vscodeFile(), 'utf8')).servers.daytona).toEqual({
      type: 'stdio',
      command: process.execPath,
      args: [CLI, 'bridge'],
    });
    const second = await cli(['setup', 'all']);
    expect(second.stdout).toContain('Cursor: already connected, nothing to change');
    expect(second.stdout).toContain('VS Code: already connected, nothing to change');
  });

  it('never writes a secret from the environment; carries DAYTONA_TRAY_HOME so the bridge finds the same state', async () => {
    const secret = 'dtn_0123456789abcdef_secret';
    const { code } = await cli(['setup', 'cursor'], {
      DAYTONA_API_KEY: secret,
      DAYTONA_TRAY_LOCAL_API_KEY: secret,
      DAYTONA_TRAY_HOME: join(home, 'state'),
    });
    expect(code).toBe(0);
    const text = await readFile(cursorFile(), 'utf8');
    expect(text).not.toContain(secret);
    expect(JSON.parse(text).mcpServers.daytona.env).toEqual({ DAYTONA_TRAY_HOME: join(home, 'state') });
  });

  it('refuses an unparseable file with exit 1, naming the file and line; the file is byte-identical', async () => {
    const broken = '{\n  "mcpServers": {\n    "x": {},,\n  }\n}\n';
    await writeFile(cursorFile(), broken);
    const { code, stdout, stderr } = await cli(['setup', 'cursor']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`Cursor: Cannot parse ${cursorFile()} (line 3`);
    expect(await readFile(cursorFile(), 'utf8')).toBe(broken);
  });

  it('a client that is not installed: exit 1 and a message that says what to do', async () => {
    const { code, stderr } = await cli(['setup', 'windsurf']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `Windsurf does not seem to be installed (nothing at ${join(home, '.codeium', 'windsurf', 'mcp_config.json')} or where it usually lives). Install it and start it once, then retry.\n`,
    );
  });

  it('all with no client installed: exit 1', async () => {
    await cleanup();
    ({ path: home, cleanup } = await tempDir('clients-cli-empty-'));
    const { code, stderr } = await cli(['setup', 'all']);
    expect(code).toBe(1);
    expect(stderr).toContain('none of the supported AI clients');
  });

  it.each([
    [['setup'], /no client named/],
    [['setup', 'emacs'], /unknown client 'emacs'; name one of claude-desktop, claude-code, cursor, windsurf, vscode, .*codex.*, or all/],
    [['setup', 'cursor', 'vscode'], /more than one client named/],
    [['setup', 'cursor', '--bogus'], /Unknown option '--bogus'/],
    [['unsetup'], /no client named/],
    [['clients', 'extra'], /Unexpected argument 'extra'/],
  ])('usage errors exit 2: %j', async (args, message) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('--help exits 0 and lists the clients', async () => {
    const { code, stdout } = await cli(['setup', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: daytona-tray setup <client|all> [--project DIR] [--tools GROUPS] [--dry-run] [--force]');
    expect(stdout).toContain('claude-desktop, claude-code, cursor, windsurf, vscode');
  });
});

describe('daytona-tray unsetup', () => {
  it('removes only our entry, from every client that has it', async () => {
    const original = '{\n  "mcpServers": {\n    "x": {"command": "/bin/x"}\n  }\n}\n';
    await writeFile(cursorFile(), original);
    await cli(['setup', 'all']);
    const { code, stdout } = await cli(['unsetup', 'all']);
    expect(code).toBe(0);
    expect(stdout).toContain('Cursor: disconnected');
    expect(stdout).toContain('VS Code: disconnected');
    expect(stdout).toContain('Windsurf: not connected, nothing to remove');
    expect(await readFile(cursorFile(), 'utf8')).toBe(original);
    expect(await readFile(`${cursorFile()}.daytona-tray.bak`, 'utf8')).toBe(original);
  });

  it('leaves a "daytona" entry it did not write (exit 1) unless --force', async () => {
    const foreign = '{"mcpServers": {"daytona": {"command": "daytona", "args": ["mcp", "start"]}}}';
    await writeFile(cursorFile(), foreign);
    const refused = await cli(['unsetup', 'cursor']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('did not write');
    // unsetup --force removes (it replaces nothing): the message says so.
    expect(refused.stderr).toContain('run unsetup again with --force to remove it anyway');
    expect(refused.stderr).not.toContain('replace');
    expect(await readFile(cursorFile(), 'utf8')).toBe(foreign);
    const forced = await cli(['unsetup', 'cursor', '--force']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(await readFile(cursorFile(), 'utf8'))).toEqual({ mcpServers: {} });
  });
});
