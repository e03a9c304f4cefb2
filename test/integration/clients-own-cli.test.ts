import { chmod, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_SUFFIX } from '../../main/core/clients/config-file.ts';
import type { Host } from '../../main/core/clients/host.ts';
import { createClients } from '../../main/core/clients/registry.ts';
import { CLI, REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Gemini CLI and Codex CLI have their own `mcp add`/`mcp remove`; setup uses them when they are installed, but
 * only after a trial on a copy of the file shows they keep every key and comment of the user's. These run the
 * real CLIs (pinned devDependencies) on real files under a temp HOME.
 */
const BIN = join(REPO_ROOT, 'node_modules', '.bin');

let home: string;
let bin: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: home, cleanup } = await tempDir('clients-own-cli-'));
  bin = join(home, 'bin');
  await mkdir(bin);
});
afterEach(async () => cleanup());

async function clientsWith(programs: string[]) {
  for (const program of programs) await symlink(join(BIN, program), join(bin, program));
  const host: Host = { platform: 'linux', home, env: { HOME: home, PATH: `${bin}:${dirname(process.execPath)}` } };
  const launch = { command: process.execPath, args: [CLI, 'bridge'], env: { DAYTONA_TRAY_HOME: join(home, 'state') } };
  return createClients({ host, launch });
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('Gemini CLI: setup runs `gemini mcp add` and `gemini mcp remove`', () => {
  const settings = () => join(home, '.gemini', 'settings.json');
  const original = [
    '{',
    "  // the user's theme",
    '  "theme": "Dracula",',
    '  "mcpServers": {',
    '    "other": {',
    '      "command": "foo",',
    '      "args": [',
    '        "x"',
    '      ]',
    '    }',
    '  }',
    '}',
  ].join('\n');

  it('adds and removes our entry through the CLI, keeping the comment and the other server', async () => {
    await mkdir(join(home, '.gemini'));
    await writeFile(settings(), original);
    const { gemini } = await clientsWith(['gemini']);

    const connected = await gemini.connect();
    expect(connected).toMatchObject({ action: 'connected', via: 'cli', dryRun: false });
    expect(connected.commands?.at(-1)?.slice(0, 6)).toEqual([join(bin, 'gemini'), 'mcp', 'add', '-s', 'user', 'daytona']);
    expect(connected.backup).toBe(`${settings()}${BACKUP_SUFFIX}`);
    // Gemini CLI itself ran against the real home: it keeps a projects.json beside its settings.
    expect(await exists(join(home, '.gemini', 'projects.json'))).toBe(true);
    const text = await readFile(settings(), 'utf8');
    expect(text).toContain("// the user's theme");
    expect(text).toContain('"other"');
    expect(await gemini.status()).toMatchObject({ entry: 'ours', current: true, connected: true, cli: join(bin, 'gemini') });
    expect(await gemini.connect()).toMatchObject({ action: 'unchanged' });

    const removed = await gemini.disconnect();
    expect(removed).toMatchObject({
      action: 'disconnected',
      via: 'cli',
      commands: [[join(bin, 'gemini'), 'mcp', 'remove', '-s', 'user', 'daytona']],
    });
    const after = await readFile(settings(), 'utf8');
    expect(after).not.toContain('daytona');
    expect(after).toContain("// the user's theme");
    expect(after).toContain('"other"');
  }, 90_000);

  it('a dry run shows the diff the CLI would make and changes nothing', async () => {
    await mkdir(join(home, '.gemini'));
    await writeFile(settings(), original);
    const { gemini } = await clientsWith(['gemini']);
    const shown = await gemini.connect({ dryRun: true });
    expect(shown).toMatchObject({ action: 'connected', via: 'cli', dryRun: true });
    expect(shown.diff).toContain('+    "daytona": {');
    expect(await readFile(settings(), 'utf8')).toBe(original);
    expect(await exists(`${settings()}${BACKUP_SUFFIX}`)).toBe(false);
    expect(await exists(join(home, '.gemini', 'projects.json'))).toBe(false);
  }, 60_000);

  it('a file setup created through the CLI is gone after unsetup, with no backup', async () => {
    await mkdir(join(home, '.gemini'));
    const { gemini } = await clientsWith(['gemini']);
    expect(await gemini.connect()).toMatchObject({ action: 'connected', via: 'cli' });
    expect(await exists(settings())).toBe(true);
    expect(await gemini.disconnect()).toMatchObject({ action: 'disconnected' });
    expect(await exists(settings())).toBe(false);
    expect(await exists(`${settings()}${BACKUP_SUFFIX}`)).toBe(false);
  }, 90_000);

  it('an entry with a variable the user added goes through the file: no value of theirs on a command line', async () => {
    await mkdir(join(home, '.gemini'));
    const entry = { command: process.execPath, args: ['/old/place/out/main/cli.js', 'bridge'], env: { MY_TOKEN: 's3cret' } };
    await writeFile(settings(), JSON.stringify({ mcpServers: { daytona: entry } }, null, 2));
    const { gemini } = await clientsWith(['gemini']);
    const updated = await gemini.connect();
    expect(updated).toMatchObject({ action: 'updated', via: 'file' });
    expect(updated.commands).toBeUndefined();
    const written = JSON.parse(await readFile(settings(), 'utf8')) as { mcpServers: { daytona: { env: Record<string, string> } } };
    expect(written.mcpServers.daytona.env.MY_TOKEN).toBe('s3cret');
    expect(written.mcpServers.daytona).toMatchObject({ args: [CLI, 'bridge'] });
  }, 60_000);

  it('a CLI that fails leaves the change to the safe writer, and says why', async () => {
    await mkdir(join(home, '.gemini'));
    await writeFile(settings(), original);
    // Not a stand-in for Gemini CLI: a program named gemini that fails, as a broken install would.
    await writeFile(join(bin, 'gemini'), '#!/bin/sh\necho "gemini: broken install" >&2\nexit 3\n');
    await chmod(join(bin, 'gemini'), 0o755);
    const { gemini } = await clientsWith([]);
    const connected = await gemini.connect();
    expect(connected).toMatchObject({ action: 'connected', via: 'file' });
    expect(connected.notes[0]).toMatch(/'gemini mcp add .*' failed \(exit 3\).*changed only its entry itself/);
    const text = await readFile(settings(), 'utf8');
    expect(text.startsWith(original.slice(0, -1))).toBe(false); // our entry went in ...
    expect(text).toContain("// the user's theme"); // ... and nothing of the user's went out
    expect(JSON.parse(JSON.stringify(await gemini.status()))).toMatchObject({ entry: 'ours', connected: true });
  }, 60_000);
});

describe('Codex CLI: setup runs `codex mcp add` unless it would drop a comment', () => {
  const config = () => join(home, '.codex', 'config.toml');

  it('uses the CLI when its rewrite keeps everything', async () => {
    await mkdir(join(home, '.codex'));
    const original = '# my settings\nmodel = "o3"   # trailing\n\n[mcp_servers.other]\ncommand = "foo"\nargs = ["x"]\n';
    await writeFile(config(), original);
    const { codex } = await clientsWith(['codex']);
    const connected = await codex.connect();
    expect(connected).toMatchObject({ action: 'connected', via: 'cli' });
    expect(connected.commands?.at(-1)).toEqual([
      join(bin, 'codex'),
      'mcp',
      'add',
      '--env',
      `DAYTONA_TRAY_HOME=${join(home, 'state')}`,
      'daytona',
      '--',
      process.execPath,
      CLI,
      'bridge',
    ]);
    const text = await readFile(config(), 'utf8');
    expect(text.startsWith(original)).toBe(true);
    expect(text).toContain('[mcp_servers.daytona]');
    expect(await codex.disconnect()).toMatchObject({ action: 'disconnected', via: 'cli' });
    expect(await readFile(config(), 'utf8')).toBe(original);
  }, 60_000);

  it('falls back to the safe writer when the CLI would drop a comment on another server, and says so', async () => {
    await mkdir(join(home, '.codex'));
    const original = '[mcp_servers.other]\ncommand = "foo"\nargs = ["x"]  # keep me\n';
    await writeFile(config(), original);
    const { codex } = await clientsWith(['codex']);
    const shown = await codex.connect({ dryRun: true });
    expect(shown).toMatchObject({ via: 'file' });
    const connected = await codex.connect();
    expect(connected).toMatchObject({ action: 'connected', via: 'file' });
    expect(connected.notes[0]).toBe(
      "codex's own command was not used: on a copy of the file it drops a comment (# keep me). Daytona Tray changed only its entry itself.",
    );
    const text = await readFile(config(), 'utf8');
    expect(text.startsWith(original)).toBe(true);
    expect(text).toContain('[mcp_servers.daytona]');
  }, 60_000);
});
