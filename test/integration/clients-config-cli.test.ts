import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/paths.ts';
import { runCliToExit } from '../helpers/local-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * The client config files people actually have, through the built CLI in a temp HOME (Cursor installed):
 * duplicate keys, comment-only files, our entry edited by hand, and unsetup leaving things as it found them.
 */
let home: string;
let cleanup: () => Promise<void>;

const cli = (args: string[]) => runCliToExit(args, { HOME: home, PATH: join(home, 'bin') });

const cursorDir = () => join(home, '.cursor');
const cursorFile = () => join(cursorDir(), 'mcp.json');
// Cursor's entry carries its tool preset (under its 40-tool cap).
const ours = () => ({ command: process.execPath, args: [CLI, 'bridge', '--tools', 'sandbox,files,process,git,preview'] });

beforeEach(async () => {
  ({ path: home, cleanup } = await tempDir('clients-config-cli-'));
  await mkdir(join(home, 'bin'));
  await mkdir(cursorDir());
});
afterEach(async () => cleanup());

describe('duplicate keys on the path setup edits', () => {
  it('a second "mcpServers" is refused naming its line; the file is byte-identical and clients shows why', async () => {
    const text = '{\n  "mcpServers": {"a": {"command": "/bin/a"}},\n  "mcpServers": {"b": {"command": "/bin/b"}}\n}\n';
    await writeFile(cursorFile(), text);
    const setup = await cli(['setup', 'cursor']);
    expect(setup.code).toBe(1);
    expect(setup.stderr).toContain(`${cursorFile()} has the key "mcpServers" twice in the top level (again on line 3)`);
    expect(setup.stderr).toContain('Merge the two into one, then retry.');
    expect(setup.stdout).not.toContain('connected');
    expect(await readFile(cursorFile(), 'utf8')).toBe(text);
    expect(await readdir(cursorDir())).toEqual(['mcp.json']);
    const clients = await cli(['clients']);
    expect(clients.stdout).toMatch(/^cursor +yes +unknown \(see below\)/m);
    expect(clients.stdout).toContain('Cursor: ' + `${cursorFile()} has the key "mcpServers" twice`);
  });
});

describe('a file holding only comments', () => {
  it('is an empty config: setup connects and keeps the comments', async () => {
    const comments = '// my MCP servers go here\n/* none yet */\n';
    await writeFile(cursorFile(), comments);
    const setup = await cli(['setup', 'cursor']);
    expect(setup.stderr).toBe('');
    expect(setup.stdout).toContain('Cursor: connected');
    const text = await readFile(cursorFile(), 'utf8');
    expect(text.startsWith(comments)).toBe(true);
    expect((await cli(['clients'])).stdout).toMatch(/^cursor +yes +connected +/m);
  });
});

describe('our entry edited by the user', () => {
  it('an added env var is kept: clients says connected, setup changes nothing', async () => {
    const edited = { mcpServers: { daytona: { ...ours(), env: { HTTPS_PROXY: 'http://proxy:3128' } } } };
    await writeFile(cursorFile(), JSON.stringify(edited, null, 2));
    const clients = await cli(['clients']);
    expect(clients.stdout).toMatch(/^cursor +yes +connected +/m);
    expect(clients.stdout).not.toContain('another');
    const setup = await cli(['setup', 'cursor']);
    expect(setup.stdout).toContain('Cursor: already connected, nothing to change');
    expect(JSON.parse(await readFile(cursorFile(), 'utf8'))).toEqual(edited);
  });

  it('an entry of another install with user additions: setup points it here, keeps the additions and says so', async () => {
    const stale = {
      command: '/opt/old/node',
      args: ['/opt/old/out/main/cli.js', 'bridge'],
      env: { HTTPS_PROXY: 'http://p:1' },
      disabled: false,
    };
    await writeFile(cursorFile(), JSON.stringify({ mcpServers: { daytona: stale } }, null, 2));
    expect((await cli(['clients'])).stdout).toMatch(/^cursor +yes +broken/m); // /opt/old is gone
    const setup = await cli(['setup', 'cursor']);
    expect(setup.code).toBe(0);
    expect(setup.stdout).toContain('Cursor: updated the daytona entry');
    expect(setup.stdout).toContain('Kept your additions to the "daytona" entry: env.HTTPS_PROXY, disabled.');
    expect(setup.stdout).toContain("Set to this install's values: command, args.");
    expect(JSON.parse(await readFile(cursorFile(), 'utf8')).mcpServers.daytona).toEqual({
      ...ours(),
      env: { HTTPS_PROXY: 'http://p:1' },
      disabled: false,
    });
  });
});

describe('unsetup leaves things as it found them', () => {
  it('after a setup that created the file: no file and no backup holding our entry', async () => {
    expect((await cli(['setup', 'cursor'])).code).toBe(0);
    const unsetup = await cli(['unsetup', 'cursor']);
    expect(unsetup.code).toBe(0);
    expect(unsetup.stdout).toContain('Cursor: disconnected');
    expect(unsetup.stdout).toContain(`Removed ${cursorFile()}: setup created it and it holds nothing else.`);
    expect(await readdir(cursorDir())).toEqual([]);
  });

  it('a file that existed before setup stays, with its backup; one the user added to since setup stays too', async () => {
    await writeFile(cursorFile(), '{"mcpServers": {}}');
    await cli(['setup', 'cursor']);
    await cli(['unsetup', 'cursor']);
    expect(JSON.parse(await readFile(cursorFile(), 'utf8'))).toEqual({ mcpServers: {} });
    expect((await readdir(cursorDir())).sort()).toEqual(['mcp.json', 'mcp.json.daytona-tray.bak']);

    await cleanup();
    ({ path: home, cleanup } = await tempDir('clients-config-cli-'));
    await mkdir(cursorDir());
    await cli(['setup', 'cursor']);
    const config = JSON.parse(await readFile(cursorFile(), 'utf8')) as { mcpServers: Record<string, unknown> };
    config.mcpServers.mine = { command: '/bin/mine' };
    await writeFile(cursorFile(), JSON.stringify(config, null, 2));
    await cli(['unsetup', 'cursor']);
    expect(JSON.parse(await readFile(cursorFile(), 'utf8'))).toEqual({ mcpServers: { mine: { command: '/bin/mine' } } });
  });

  it('--dry-run says it would remove the file, and removes nothing', async () => {
    await cli(['setup', 'cursor']);
    const dry = await cli(['unsetup', 'cursor', '--dry-run']);
    expect(dry.stdout).toContain(`Would remove ${cursorFile()}: setup created it and it holds nothing else.`);
    expect(JSON.parse(await readFile(cursorFile(), 'utf8'))).toEqual({ mcpServers: { daytona: ours() } });
  });
});
