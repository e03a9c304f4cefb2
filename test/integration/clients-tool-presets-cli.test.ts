import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseToml } from '@decimalturn/toml-patch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Tool presets as a user meets them: `setup` writes `bridge --tools <groups>` into the client's entry (Cursor
 * gets one under its 40-tool cap by default), `--tools` chooses others, a later `setup` keeps the user's choice,
 * and `clients` shows it. The built CLI, a temp HOME, no client programs on PATH.
 */
let home: string;
let cleanup: () => Promise<void>;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { HOME: home, PATH: join(home, 'bin') }, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const CURSOR_PRESET = 'sandbox,files,process,git,preview';
const cursorFile = () => join(home, '.cursor', 'mcp.json');
const cursorArgs = async () => JSON.parse(await readFile(cursorFile(), 'utf8')).mcpServers.daytona.args as string[];

beforeEach(async () => {
  ({ path: home, cleanup } = await tempDir('clients-presets-'));
  await mkdir(join(home, 'bin'));
  await mkdir(join(home, '.cursor'));
  await mkdir(join(home, '.codex'));
});
afterEach(async () => cleanup());

describe('setup and tool presets', () => {
  it('Cursor gets its preset (no computer use) by default; a client without a cap gets every tool', async () => {
    expect((await cli(['setup', 'cursor'])).code).toBe(0);
    expect(await cursorArgs()).toEqual([CLI, 'bridge', '--tools', CURSOR_PRESET]);
    expect((await cli(['setup', 'codex'])).code).toBe(0);
    const codex = parseToml(await readFile(join(home, '.codex', 'config.toml'), 'utf8')) as {
      mcp_servers: { daytona: { args: string[] } };
    };
    expect(codex.mcp_servers.daytona.args).toEqual([CLI, 'bridge']);
  });

  it('--tools chooses the groups; setup again without --tools keeps that choice; --tools all on Cursor is written out', async () => {
    await cli(['setup', 'cursor', '--tools', 'git,sandbox']);
    expect(await cursorArgs()).toEqual([CLI, 'bridge', '--tools', 'sandbox,git']);
    const again = await cli(['setup', 'cursor']);
    expect(again.stdout).toContain('Cursor: already connected, nothing to change');
    expect(await cursorArgs()).toEqual([CLI, 'bridge', '--tools', 'sandbox,git']);
    await cli(['setup', 'cursor', '--tools', 'all']);
    expect(await cursorArgs()).toEqual([CLI, 'bridge', '--tools', 'all']);
    expect((await cli(['setup', 'cursor'])).stdout).toContain('already connected, nothing to change');
  });

  it('an entry of ours from before presets (no --tools) is updated to the preset, keeping what the user added', async () => {
    await writeFile(
      cursorFile(),
      JSON.stringify({ mcpServers: { daytona: { command: process.execPath, args: [CLI, 'bridge'], env: { MY_VAR: '1' } } } }),
    );
    const status = JSON.parse((await cli(['clients', '--json'])).stdout).find((s: { id: string }) => s.id === 'cursor');
    expect(status).toMatchObject({
      entry: 'ours',
      current: false,
      tools: ['sandbox', 'files', 'process', 'git', 'preview', 'computer-use'],
    });
    expect(status.toolCap).toEqual({ limit: 40, source: 'https://docs.cursor.com/context/model-context-protocol' });
    const { stdout } = await cli(['setup', 'cursor']);
    expect(stdout).toContain('Cursor: updated the daytona entry');
    expect(JSON.parse(await readFile(cursorFile(), 'utf8')).mcpServers.daytona).toEqual({
      command: process.execPath,
      args: [CLI, 'bridge', '--tools', CURSOR_PRESET],
      env: { MY_VAR: '1' },
    });
  });

  it('the dry run shows the --tools change and writes nothing', async () => {
    await cli(['setup', 'cursor']);
    const before = await readFile(cursorFile(), 'utf8');
    const { stdout } = await cli(['setup', 'cursor', '--tools', 'files', '--dry-run']);
    expect(stdout).toMatch(new RegExp(`^- +"${CURSOR_PRESET}"$`, 'm'));
    expect(stdout).toMatch(/^\+ +"files"$/m);
    expect(await readFile(cursorFile(), 'utf8')).toBe(before);
  });

  it("`clients` shows each entry's tools", async () => {
    await cli(['setup', 'cursor', '--tools', 'files,process']);
    await cli(['setup', 'codex']);
    const { stdout } = await cli(['clients']);
    expect(stdout).toMatch(/^cursor +yes +connected +files,process +\S+mcp\.json$/m);
    expect(stdout).toMatch(/^codex +yes +connected +all +\S+config\.toml$/m);
  });

  it('a bad --tools is refused with the valid groups named, and nothing is written', async () => {
    const { code, stderr } = await cli(['setup', 'cursor', '--tools', 'desktop']);
    expect(code).toBe(2);
    expect(stderr).toContain(
      '--tools: unknown tool group desktop: name groups separated by commas (sandbox, files, process, git, preview, computer-use), or all.',
    );
    await expect(readFile(cursorFile())).rejects.toThrow(/ENOENT/);
    expect((await cli(['unsetup', 'cursor', '--tools', 'files'])).stderr).toContain('--tools is not supported here');
  });
});
