import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BridgeLaunch } from '../../main/core/clients/bridge-launch.ts';
import { createClaudeCodeClient } from '../../main/core/clients/claude-code.ts';
import type { Host } from '../../main/core/clients/host.ts';
import { ClientSetupError } from '../../main/core/clients/types.ts';
import { CLI } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * A typed double of Claude Code's `claude` CLI (the real one cannot run here): an executable script that
 * records its argv (one JSON line per call) and does to $CLAUDE_CONFIG_DIR/.claude.json (or ~/.claude.json)
 * what `claude mcp add-json|remove --scope user` does, with the same refusals. FAKE_CLAUDE_FAIL=1 makes
 * it fail like a broken install.
 */
const FAKE_CLAUDE = `
const fs = require('node:fs');
const path = require('node:path');
const argv = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_CLAUDE_LOG, JSON.stringify(argv) + '\\n');
if (process.env.FAKE_CLAUDE_FAIL) { process.stderr.write('Error: could not write the config (simulated)\\n'); process.exit(1); }
const [cmd, sub, name, ...rest] = argv;
const file = path.join(process.env.CLAUDE_CONFIG_DIR || process.env.HOME, '.claude.json');
const data = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
const scope = rest.includes('--scope') ? rest[rest.indexOf('--scope') + 1] : 'local';
if (cmd !== 'mcp' || scope !== 'user') { process.stderr.write('fake claude: unsupported call\\n'); process.exit(2); }
data.mcpServers = data.mcpServers || {};
if (sub === 'add-json') {
  if (data.mcpServers[name]) { process.stderr.write('MCP server ' + name + ' already exists in user config\\n'); process.exit(1); }
  data.mcpServers[name] = JSON.parse(rest[0]);
} else if (sub === 'remove') {
  if (!data.mcpServers[name]) { process.stderr.write('No user-scoped MCP server found with name: ' + name + '\\n'); process.exit(1); }
  delete data.mcpServers[name];
} else { process.stderr.write('fake claude: unsupported call\\n'); process.exit(2); }
fs.writeFileSync(file, JSON.stringify(data, null, 2));
`;

async function installFakeClaude(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `#!${process.execPath}\n${FAKE_CLAUDE}`);
  await chmod(path, 0o755);
}

let home: string;
let cleanup: () => Promise<void>;
let log: string;
let bin: string;
let launch: BridgeLaunch;

const calls = async () =>
  (await readFile(log, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as string[]);
const claudeJson = async (dir = home) => JSON.parse(await readFile(join(dir, '.claude.json'), 'utf8'));
const ours = () => ({ type: 'stdio', command: launch.command, args: launch.args });

beforeEach(async () => {
  ({ path: home, cleanup } = await tempDir('clients-claude-cli-'));
  log = join(home, 'claude-calls.log');
  await writeFile(log, '');
  bin = join(home, 'bin');
  const script = join(home, 'app', 'out', 'main', 'cli.js');
  await mkdir(dirname(script), { recursive: true });
  await writeFile(script, '');
  launch = { command: process.execPath, args: [script, 'bridge'], env: {} };
});
afterEach(async () => cleanup());

function claudeCode(env: Record<string, string> = {}) {
  const host: Host = { platform: 'linux', home, env: { HOME: home, PATH: bin, FAKE_CLAUDE_LOG: log, ...env } };
  return createClaudeCodeClient({ host, launch });
}

describe('Claude Code through its claude CLI', () => {
  beforeEach(async () => installFakeClaude(join(bin, 'claude')));

  it('connect runs `claude mcp add-json daytona <json> --scope user` and never edits the file itself', async () => {
    const result = await claudeCode().connect();
    expect(result).toMatchObject({ action: 'connected', via: 'claude-cli', file: join(home, '.claude.json') });
    const recorded = await calls();
    expect(recorded).toHaveLength(1);
    const [argv] = recorded;
    expect(argv!.slice(0, 3)).toEqual(['mcp', 'add-json', 'daytona']);
    expect(argv!.slice(4)).toEqual(['--scope', 'user']);
    expect(JSON.parse(argv![3]!)).toEqual(ours());
    expect(result.notes.join('\n')).not.toMatch(/does not show the entry/); // verified by reading the file back
    expect((await claudeJson()).mcpServers.daytona).toEqual(ours());
    expect(await claudeCode().status()).toMatchObject({ cli: join(bin, 'claude'), entry: 'ours', current: true, connected: true });
  });

  it('connect twice: the second call finds the entry current and runs nothing', async () => {
    await claudeCode().connect();
    expect((await claudeCode().connect()).action).toBe('unchanged');
    expect(await calls()).toHaveLength(1);
  });

  it('a stale entry of ours is removed, then added again', async () => {
    await writeFile(
      join(home, '.claude.json'),
      JSON.stringify({
        numStartups: 3,
        mcpServers: { daytona: { type: 'stdio', command: '/old/node', args: ['/old/out/main/cli.js', 'bridge'], env: {} } },
      }),
    );
    const result = await claudeCode().connect();
    expect(result.action).toBe('updated');
    expect((await calls()).map((argv) => argv.slice(0, 3))).toEqual([
      ['mcp', 'remove', 'daytona'],
      ['mcp', 'add-json', 'daytona'],
    ]);
    expect(await claudeJson()).toEqual({ numStartups: 3, mcpServers: { daytona: ours() } });
  });

  it('a "daytona" server someone else added is refused without --force and nothing runs', async () => {
    await writeFile(
      join(home, '.claude.json'),
      JSON.stringify({ mcpServers: { daytona: { type: 'stdio', command: 'daytona', args: ['mcp', 'start'] } } }),
    );
    const error = await claudeCode()
      .connect()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientSetupError);
    expect((error as ClientSetupError).code).toBe('FOREIGN_ENTRY');
    expect(await calls()).toEqual([]);
  });

  it('disconnect runs `claude mcp remove daytona --scope user`; then there is nothing to remove', async () => {
    await claudeCode().connect();
    const result = await claudeCode().disconnect();
    expect(result).toMatchObject({ action: 'disconnected', via: 'claude-cli' });
    expect((await calls())[1]).toEqual(['mcp', 'remove', 'daytona', '--scope', 'user']);
    expect((await claudeJson()).mcpServers).toEqual({});
    expect((await claudeCode().disconnect()).action).toBe('absent');
    expect(await calls()).toHaveLength(2);
  });

  it('a dry run lists the commands and the diff, and runs nothing', async () => {
    await writeFile(join(home, '.claude.json'), '{"mcpServers": {}}');
    const result = await claudeCode().connect({ dryRun: true });
    expect(result.commands).toEqual([[join(bin, 'claude'), 'mcp', 'add-json', 'daytona', JSON.stringify(ours()), '--scope', 'user']]);
    expect(result.diff).toContain('+{"mcpServers": {"daytona":');
    expect(await calls()).toEqual([]);
    expect(await readFile(join(home, '.claude.json'), 'utf8')).toBe('{"mcpServers": {}}');
  });

  it('a failing claude CLI is reported with its own words and the exit code', async () => {
    const error = await claudeCode({ FAKE_CLAUDE_FAIL: '1' })
      .connect()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientSetupError);
    expect((error as ClientSetupError).code).toBe('CLI_FAILED');
    expect((error as Error).message).toMatch(
      /'claude mcp add-json daytona .*' failed \(exit 1\):\nError: could not write the config \(simulated\)\nCheck 'claude mcp list'/s,
    );
  });

  it('CLAUDE_CONFIG_DIR is passed through to claude and read back from there', async () => {
    const configDir = join(home, 'claude-profile');
    await mkdir(configDir);
    const result = await claudeCode({ CLAUDE_CONFIG_DIR: configDir }).connect();
    expect(result.file).toBe(join(configDir, '.claude.json'));
    expect((await claudeJson(configDir)).mcpServers.daytona).toEqual(ours());
    expect(await claudeCode({ CLAUDE_CONFIG_DIR: configDir }).status()).toMatchObject({ connected: true });
  });
});

it('finds claude in ~/.local/bin when PATH lacks it (a GUI app has no shell PATH)', async () => {
  await installFakeClaude(join(home, '.local', 'bin', 'claude'));
  const result = await claudeCode().connect();
  expect(result.via).toBe('claude-cli');
  expect(await calls()).toHaveLength(1);
});

it('without a claude CLI, the safe writer edits ~/.claude.json and keeps everything else', async () => {
  await writeFile(
    join(home, '.claude.json'),
    JSON.stringify({ numStartups: 12, projects: { '/w': { mcpServers: { p: {} } } }, mcpServers: { x: { command: '/bin/x' } } }, null, 2),
  );
  const result = await claudeCode().connect();
  expect(result.via).toBe('file');
  expect(result.notes[0]).toMatch(
    /No claude CLI found, so .*\.claude\.json was edited directly; a running Claude Code session may write over it/,
  );
  expect(await claudeJson()).toEqual({
    numStartups: 12,
    projects: { '/w': { mcpServers: { p: {} } } },
    mcpServers: { x: { command: '/bin/x' }, daytona: ours() },
  });
  expect(await calls()).toEqual([]);
});

it('`daytona-tray setup claude-code` and `unsetup` go through the claude CLI found on PATH', async () => {
  await installFakeClaude(join(bin, 'claude'));
  const env = { HOME: home, PATH: bin, FAKE_CLAUDE_LOG: log };
  const run = promisify(execFile);
  const setup = await run(process.execPath, [CLI, 'setup', 'claude-code'], { env });
  expect(setup.stdout).toContain(`Claude Code: connected (${join(home, '.claude.json')}, via the claude CLI).`);
  const [argv] = await calls();
  expect(JSON.parse(argv![3]!)).toEqual({ type: 'stdio', command: process.execPath, args: [CLI, 'bridge'] });
  const unsetup = await run(process.execPath, [CLI, 'unsetup', 'claude-code'], { env });
  expect(unsetup.stdout).toContain('Claude Code: disconnected');
  expect((await calls())[1]).toEqual(['mcp', 'remove', 'daytona', '--scope', 'user']);
});
