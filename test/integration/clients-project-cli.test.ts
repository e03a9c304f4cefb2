import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * `daytona-tray setup <client> --project DIR`: the project's own MCP config (.mcp.json, .cursor/mcp.json,
 * .vscode/mcp.json, .gemini/settings.json, opencode.json, .kiro/settings/mcp.json, .qwen/settings.json) with
 * the same rules as the user's. The built CLI, a temp HOME, no client programs on setup's PATH; Claude Code's
 * and Gemini CLI's own commands then report the project's server connected.
 */
const BIN = join(REPO_ROOT, 'node_modules', '.bin');
const exec = promisify(execFile);
let home: string;
let project: string;
let cleanup: () => Promise<void>;

function cli(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { HOME: home, PATH: join(home, 'bin'), DAYTONA_TRAY_HOME: join(home, 'state') }, timeout: 30_000, ...(cwd ? { cwd } : {}) },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const json = async (...path: string[]) => JSON.parse(await readFile(join(project, ...path), 'utf8'));
const launch = () => ({ command: process.execPath, args: [CLI, 'bridge'], env: { DAYTONA_TRAY_HOME: join(home, 'state') } });

beforeEach(async () => {
  ({ path: home, cleanup } = await tempDir('clients-project-'));
  project = join(home, 'project');
  await mkdir(join(home, 'bin'));
  await mkdir(project);
});
afterEach(async () => cleanup());

describe('setup --project', () => {
  it("writes each client's project file, in its own shape, with the same entry as at user level", async () => {
    for (const client of ['claude-code', 'cursor', 'vscode', 'gemini', 'qwen', 'opencode', 'kiro']) {
      const { code, stderr } = await cli(['setup', client, '--project', project]);
      expect(stderr, client).toBe('');
      expect(code, client).toBe(0);
    }
    expect(await json('.mcp.json')).toEqual({ mcpServers: { daytona: { type: 'stdio', ...launch() } } });
    expect(await json('.cursor', 'mcp.json')).toEqual({
      mcpServers: { daytona: { ...launch(), args: [CLI, 'bridge', '--tools', 'sandbox,files,process,git,preview'] } },
    });
    expect(await json('.vscode', 'mcp.json')).toEqual({ servers: { daytona: { type: 'stdio', ...launch() } } });
    expect(await json('.gemini', 'settings.json')).toEqual({ mcpServers: { daytona: launch() } });
    expect(await json('.qwen', 'settings.json')).toEqual({ mcpServers: { daytona: launch() } });
    expect(await json('.kiro', 'settings', 'mcp.json')).toEqual({ mcpServers: { daytona: launch() } });
    expect(await json('opencode.json')).toEqual({
      mcp: { daytona: { type: 'local', command: [process.execPath, CLI, 'bridge'], enabled: true, environment: launch().env } },
    });
    // Nothing at user level.
    expect(await readdir(home)).toEqual(expect.not.arrayContaining(['.cursor', '.gemini', '.claude.json']));
  });

  it('an existing project file keeps every other byte; a foreign "daytona" there is refused untouched', async () => {
    const settings = '{\n  // the team\'s settings\n  "theme": "dark",\n  "mcpServers": {\n    "github": { "command": "gh-mcp" }\n  }\n}\n';
    await mkdir(join(project, '.gemini'));
    await writeFile(join(project, '.gemini', 'settings.json'), settings);
    const setup = await cli(['setup', 'gemini', '--project', project]);
    expect(setup.code).toBe(0);
    const text = await readFile(join(project, '.gemini', 'settings.json'), 'utf8');
    expect(text).toContain('  // the team\'s settings\n  "theme": "dark",\n');
    expect(text).toContain('"github": { "command": "gh-mcp" }');
    expect(await readFile(join(project, '.gemini', 'settings.json.daytona-tray.bak'), 'utf8')).toBe(settings);

    const foreign = JSON.stringify({ mcpServers: { daytona: { command: 'daytona', args: ['mcp', 'start'] } } });
    await writeFile(join(project, '.mcp.json'), foreign);
    const refused = await cli(['setup', 'claude-code', '--project', project]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${join(project, '.mcp.json')} has a "daytona" server that Daytona Tray did not write`);
    expect(await readFile(join(project, '.mcp.json'), 'utf8')).toBe(foreign);
  });

  it("says what the user does next, and warns that the file names this computer's paths", async () => {
    const { stdout } = await cli(['setup', 'claude-code', '--project', project]);
    expect(stdout).toContain(`Claude Code: connected (${join(project, '.mcp.json')}).`);
    expect(stdout).toContain('Claude Code asks once whether to trust the servers in .mcp.json');
    expect(stdout).toContain('keep it out of version control');
  });

  it('a relative DIR is the folder it names from where the command runs', async () => {
    expect((await cli(['setup', 'vscode', '--project', 'project'], home)).code).toBe(0);
    expect(await json('.vscode', 'mcp.json')).toMatchObject({ servers: { daytona: { type: 'stdio' } } });
  });

  it('all: only the clients with a project config that are installed here', async () => {
    await mkdir(join(home, '.cursor'));
    await mkdir(join(home, '.gemini'));
    await mkdir(join(home, '.codeium', 'windsurf'), { recursive: true }); // installed, but no project scope
    const { code, stdout } = await cli(['setup', 'all', '--project', project]);
    expect(code).toBe(0);
    expect(stdout).toContain('Cursor: connected');
    expect(stdout).toContain('Gemini CLI: connected');
    expect((await readdir(project)).sort()).toEqual(['.cursor', '.gemini']);
  });

  it('unsetup --project removes the entry, and the file setup created', async () => {
    await cli(['setup', 'cursor', '--project', project]);
    const { code, stdout } = await cli(['unsetup', 'cursor', '--project', project]);
    expect(code).toBe(0);
    expect(stdout).toContain(`Removed ${join(project, '.cursor', 'mcp.json')}: setup created it and it holds nothing else.`);
    expect(await readdir(join(project, '.cursor'))).toEqual([]);
  });

  it('refuses a client without a project config, and a DIR that is not a folder, saying what to do', async () => {
    const windsurf = await cli(['setup', 'windsurf', '--project', project]);
    expect(windsurf.code).toBe(1);
    expect(windsurf.stderr).toContain(
      "Windsurf has no project-level MCP config; run 'daytona-tray setup windsurf' without --project. Clients with one: claude-code, cursor, vscode, gemini, qwen, opencode, kiro.",
    );
    const missing = await cli(['setup', 'cursor', '--project', join(home, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `--project: ${join(home, 'nope')} is not a folder: --project names your project's folder (it must exist).`,
    );
    expect(await readdir(project)).toEqual([]);
  });
});

describe('checked by the clients themselves', () => {
  const listEnv = () => ({ HOME: home, PATH: dirname(process.execPath), DAYTONA_TRAY_SHARED_GRACE_MS: '500', NO_COLOR: '1' });

  it("Claude Code's `claude mcp get daytona` in the project: project scope, connected", async () => {
    await mkdir(join(home, '.claude'));
    expect((await cli(['setup', 'claude-code', '--project', project])).code).toBe(0);
    const got = await exec(join(BIN, 'claude'), ['mcp', 'get', 'daytona'], { cwd: project, env: listEnv(), timeout: 120_000 });
    const out = stripVTControlCharacters(got.stdout + got.stderr);
    expect(out).toContain('Scope: Project config (shared via .mcp.json)');
    expect(out).toContain('Status: ✓ Connected');
    expect(out).toContain(`Args: ${CLI} bridge`);
  });

  it("Gemini CLI's `gemini mcp list` in the (trusted) project: connected", async () => {
    await mkdir(join(home, '.gemini'));
    expect((await cli(['setup', 'gemini', '--project', project])).code).toBe(0);
    await writeFile(join(home, '.gemini', 'trustedFolders.json'), JSON.stringify({ [project]: 'TRUST_FOLDER' }));
    const listed = await exec(join(BIN, 'gemini'), ['mcp', 'list'], { cwd: project, env: listEnv(), timeout: 120_000 });
    expect(stripVTControlCharacters(listed.stdout + listed.stderr)).toMatch(/✓ daytona: .* bridge \(stdio\) - Connected/);
  });
});
