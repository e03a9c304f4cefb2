import { chmod, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_SUFFIX } from '../../main/core/clients/config-file.ts';
import type { Host } from '../../main/core/clients/host.ts';
import { createClients } from '../../main/core/clients/registry.ts';
import { CLI } from '../helpers/paths.ts';
import { clientProgram, missingClientsReason } from '../helpers/real-clients.ts';
import { skipWhen } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Gemini CLI, Qwen Code (its fork) and Codex CLI have their own `mcp add`/`mcp remove`; setup uses them when they
 * are installed, but only after a trial on a copy of the file shows they keep every key and comment of the
 * user's. These run the real CLIs (pinned exactly: devDependencies, and Qwen Code from test/real-clients) on real
 * files under a temp HOME.
 */

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
  for (const program of programs) await symlink(clientProgram(program), join(bin, program));
  const host: Host = { platform: 'linux', home, env: { HOME: home, PATH: `${bin}:${dirname(process.execPath)}` } };
  const launch = { command: process.execPath, args: [CLI, 'bridge'], env: { DAYTONA_TRAY_HOME: join(home, 'state') } };
  return createClients({ host, launch });
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** A user's settings: a comment, a setting, another server (in the settings schema the client writes today). */
function userSettings(setting: string[], version: string[] = []): string {
  const servers = [
    '  "mcpServers": {',
    '    "other": {',
    '      "command": "foo",',
    '      "args": [',
    '        "x"',
    '      ]',
    '    }',
    '  }',
  ];
  return [
    '{',
    "  // the user's theme",
    ...setting,
    ...servers.map((line, i) => (i === servers.length - 1 && version.length ? `${line},` : line)),
    ...version,
    '}',
  ].join('\n');
}

const GEMINI_LIKE = [
  // Gemini CLI keeps a projects.json beside its settings once it has run.
  {
    name: 'Gemini CLI',
    id: 'gemini',
    program: 'gemini',
    folder: '.gemini',
    sideFile: 'projects.json',
    original: userSettings(['  "theme": "Dracula",']),
  },
  // Qwen Code 0.24 writes settings version 4 (`ui.theme`, `$version`); an older file it migrates (see below).
  {
    name: 'Qwen Code',
    id: 'qwen',
    program: 'qwen',
    folder: '.qwen',
    sideFile: undefined,
    original: userSettings(['  "ui": {', '    "theme": "Dracula"', '  },'], ['  "$version": 4']),
  },
] as const;

describe.each(GEMINI_LIKE)(
  '$name: setup runs `$program mcp add` and `$program mcp remove`',
  ({ id, program, folder, sideFile, original }) => {
    // Gemini CLI is a devDependency; Qwen Code comes from test/real-clients (.ci/run installs it).
    const options = { timeout: 90_000, ...skipWhen(missingClientsReason([program]), 'real-clients') };
    const settings = () => join(home, folder, 'settings.json');

    it('adds and removes our entry through the CLI, keeping the comment and the other server', options, async () => {
      await mkdir(join(home, folder));
      await writeFile(settings(), original);
      const client = (await clientsWith([program]))[id];

      const connected = await client.connect();
      expect(connected).toMatchObject({ action: 'connected', via: 'cli', dryRun: false });
      expect(connected.commands?.at(-1)?.slice(0, 6)).toEqual([join(bin, program), 'mcp', 'add', '-s', 'user', 'daytona']);
      expect(connected.backup).toBe(`${settings()}${BACKUP_SUFFIX}`);
      // The client itself ran against the real home.
      if (sideFile) expect(await exists(join(home, folder, sideFile))).toBe(true);
      const text = await readFile(settings(), 'utf8');
      expect(text).toContain("// the user's theme");
      expect(text).toContain('"other"');
      expect(await client.status()).toMatchObject({ entry: 'ours', current: true, connected: true, cli: join(bin, program) });
      expect(await client.connect()).toMatchObject({ action: 'unchanged' });

      const removed = await client.disconnect();
      expect(removed).toMatchObject({
        action: 'disconnected',
        via: 'cli',
        commands: [[join(bin, program), 'mcp', 'remove', '-s', 'user', 'daytona']],
      });
      const after = await readFile(settings(), 'utf8');
      expect(after).not.toContain('daytona');
      expect(after).toContain("// the user's theme");
      expect(after).toContain('"other"');
    });

    it('a dry run shows the diff the CLI would make and changes nothing', options, async () => {
      await mkdir(join(home, folder));
      await writeFile(settings(), original);
      const client = (await clientsWith([program]))[id];
      const shown = await client.connect({ dryRun: true });
      expect(shown).toMatchObject({ action: 'connected', via: 'cli', dryRun: true });
      expect(shown.diff).toContain('+    "daytona": {');
      expect(await readFile(settings(), 'utf8')).toBe(original);
      expect(await exists(`${settings()}${BACKUP_SUFFIX}`)).toBe(false);
      if (sideFile) expect(await exists(join(home, folder, sideFile))).toBe(false);
    });

    it('a file setup created through the CLI is gone after unsetup, with no backup', options, async () => {
      await mkdir(join(home, folder));
      const client = (await clientsWith([program]))[id];
      expect(await client.connect()).toMatchObject({ action: 'connected', via: 'cli' });
      expect(await exists(settings())).toBe(true);
      expect(await client.disconnect()).toMatchObject({ action: 'disconnected' });
      expect(await exists(settings())).toBe(false);
      expect(await exists(`${settings()}${BACKUP_SUFFIX}`)).toBe(false);
    });

    it('an entry with a variable the user added goes through the file: no value of theirs on a command line', options, async () => {
      await mkdir(join(home, folder));
      const entry = { command: process.execPath, args: ['/old/place/out/main/cli.js', 'bridge'], env: { MY_TOKEN: 's3cret' } };
      await writeFile(settings(), JSON.stringify({ mcpServers: { daytona: entry } }, null, 2));
      const client = (await clientsWith([program]))[id];
      const updated = await client.connect();
      expect(updated).toMatchObject({ action: 'updated', via: 'file' });
      expect(updated.commands).toBeUndefined();
      const written = JSON.parse(await readFile(settings(), 'utf8')) as { mcpServers: { daytona: { env: Record<string, string> } } };
      expect(written.mcpServers.daytona.env.MY_TOKEN).toBe('s3cret');
      expect(written.mcpServers.daytona).toMatchObject({ args: [CLI, 'bridge'] });
    });

    it('a CLI that fails leaves the change to the safe writer, and says why', options, async () => {
      await mkdir(join(home, folder));
      await writeFile(settings(), original);
      // Not a stand-in for the client: a program of its name that fails, as a broken install would.
      await writeFile(join(bin, program), `#!/bin/sh\necho "${program}: broken install" >&2\nexit 3\n`);
      await chmod(join(bin, program), 0o755);
      const client = (await clientsWith([]))[id];
      const connected = await client.connect();
      expect(connected).toMatchObject({ action: 'connected', via: 'file' });
      expect(connected.notes[0]).toMatch(new RegExp(`'${program} mcp add .*' failed \\(exit 3\\).*changed only its entry itself`));
      const text = await readFile(settings(), 'utf8');
      expect(text.startsWith(original.slice(0, -1))).toBe(false); // our entry went in ...
      expect(text).toContain("// the user's theme"); // ... and nothing of the user's went out
      expect(JSON.parse(JSON.stringify(await client.status()))).toMatchObject({ entry: 'ours', connected: true });
    });
  },
);

describe('Qwen Code: a settings file it would migrate goes through the safe writer', () => {
  it(
    'on a copy, `qwen mcp add` moves the theme to ui.theme and drops the comment; setup says so and edits only our entry',
    { timeout: 90_000, ...skipWhen(missingClientsReason(['qwen']), 'real-clients') },
    async () => {
      await mkdir(join(home, '.qwen'));
      const older = userSettings(['  "theme": "Dracula",']); // Gemini CLI's layout, which Qwen Code 0.24 migrates on write
      await writeFile(join(home, '.qwen', 'settings.json'), older);
      const { qwen } = await clientsWith(['qwen']);
      const connected = await qwen.connect();
      expect(connected).toMatchObject({ action: 'connected', via: 'file' });
      expect(connected.notes[0]).toMatch(
        /^qwen's own command was not used: on a copy of the file .*Daytona Tray changed only its entry itself\.$/,
      );
      const text = await readFile(join(home, '.qwen', 'settings.json'), 'utf8');
      expect(text).toContain("// the user's theme");
      expect(text).toContain('  "theme": "Dracula",');
      expect(text).not.toContain('$version');
      expect(await qwen.status()).toMatchObject({ entry: 'ours', connected: true });
    },
  );
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

describe('VS Code: setup runs `code --add-mcp` (a stand-in `code`: VS Code cannot be installed here)', () => {
  const mcpJson = () => join(home, '.config', 'Code', 'User', 'mcp.json');
  const standIn = fileURLToPath(new URL('../helpers/vscode-stand-in-cli.ts', import.meta.url));
  const ourDefinition = () => ({
    name: 'daytona',
    type: 'stdio',
    command: process.execPath,
    args: [CLI, 'bridge'],
    env: { DAYTONA_TRAY_HOME: join(home, 'state') },
  });
  // A file as VS Code itself writes it (tabs, "inputs", every server typed).
  const vsCodeWritten = JSON.stringify({ servers: { other: { type: 'stdio', command: 'foo', args: ['x'] } }, inputs: [] }, null, '\t');

  async function vsCode() {
    await mkdir(dirname(mcpJson()), { recursive: true });
    await writeFile(join(bin, 'code'), `#!/bin/sh\nexec "${process.execPath}" "${standIn}" "$@"\n`);
    await chmod(join(bin, 'code'), 0o755);
    return (await clientsWith([])).vscode;
  }

  it('adds our entry through the command on a file VS Code wrote; unsetup edits the file (VS Code has no remove)', async () => {
    const vscode = await vsCode();
    await writeFile(mcpJson(), vsCodeWritten);
    const connected = await vscode.connect();
    expect(connected).toMatchObject({ action: 'connected', via: 'cli', dryRun: false });
    // The real run is the user's own: no --user-data-dir (that is only for the trial on a copy).
    expect(connected.commands).toEqual([[join(bin, 'code'), '--add-mcp', JSON.stringify(ourDefinition())]]);
    const written = JSON.parse(await readFile(mcpJson(), 'utf8')) as { servers: Record<string, unknown> };
    expect(written.servers).toEqual({ other: { type: 'stdio', command: 'foo', args: ['x'] }, daytona: omitName(ourDefinition()) });
    expect(await vscode.status()).toMatchObject({ entry: 'ours', current: true, connected: true, cli: join(bin, 'code') });
    expect(await vscode.connect()).toMatchObject({ action: 'unchanged' });

    const removed = await vscode.disconnect();
    expect(removed).toMatchObject({ action: 'disconnected', via: 'file' });
    expect(JSON.parse(await readFile(mcpJson(), 'utf8'))).toEqual({
      servers: { other: { type: 'stdio', command: 'foo', args: ['x'] } },
      inputs: [],
    });
  });

  it('with no mcp.json yet, the file the command writes ("inputs": [] included) is used', async () => {
    const vscode = await vsCode();
    expect(await vscode.connect()).toMatchObject({ action: 'connected', via: 'cli' });
    expect(JSON.parse(await readFile(mcpJson(), 'utf8'))).toEqual({ servers: { daytona: omitName(ourDefinition()) }, inputs: [] });
  });

  it('a file with a comment goes through the safe writer, which says why', async () => {
    const vscode = await vsCode();
    const original = '{\n  // my servers\n  "servers": {\n    "other": { "type": "stdio", "command": "foo" }\n  }\n}\n';
    await writeFile(mcpJson(), original);
    const connected = await vscode.connect();
    expect(connected).toMatchObject({ action: 'connected', via: 'file' });
    expect(connected.notes[0]).toBe(
      "code's own command was not used: on a copy of the file it drops a comment (// my servers). Daytona Tray changed only its entry itself.",
    );
    const text = await readFile(mcpJson(), 'utf8');
    expect(text).toContain('// my servers');
    expect(text).toContain('"daytona"');
    expect(text).not.toContain('"inputs"');
  });

  it('an entry with a variable the user added goes through the file: no value of theirs on a command line', async () => {
    const vscode = await vsCode();
    const entry = { type: 'stdio', command: process.execPath, args: ['/old/place/out/main/cli.js', 'bridge'], env: { MY_TOKEN: 's3cret' } };
    await writeFile(mcpJson(), JSON.stringify({ servers: { daytona: entry }, inputs: [] }, null, '\t'));
    const updated = await vscode.connect();
    expect(updated).toMatchObject({ action: 'updated', via: 'file' });
    expect(updated.commands).toBeUndefined();
    const written = JSON.parse(await readFile(mcpJson(), 'utf8')) as { servers: { daytona: { env: Record<string, string> } } };
    expect(written.servers.daytona.env.MY_TOKEN).toBe('s3cret');
  });
});

function omitName<T extends { name: string }>(definition: T): Omit<T, 'name'> {
  const { name: _name, ...rest } = definition;
  return rest;
}
