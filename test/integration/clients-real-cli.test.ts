import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// Not Qwen Code (@qwen-code/qwen-code 0.24.4) nor OpenCode (opencode-ai 1.18.33): `npm ci` cannot install them from the
// registry this CI reaches, which lacks one of each one's optional per-platform packages (darwin-arm64), so a
// lockfile holding them fails `npm ci`. Both were checked by hand once (their `mcp list` showed daytona connected).
// Not Crush (@charmland/crush): its install script downloads the binary from GitHub, which CI cannot reach.
// Not Continue (@continuedev/cli): `cn` has no command that lists or checks MCP servers, and a run needs a model.
// Zed, VS Code, Cursor and the other desktop apps are not on npm.
/**
 * `daytona-tray setup <client>` checked by the client itself: the real CLIs that npm ships, pinned as
 * devDependencies, read the config setup wrote and list it. Gemini CLI and Claude Code start our bridge and
 * report it connected; Codex CLI and Copilot CLI only list, so they must show our entry exactly. Setup runs
 * with an empty PATH (the client's program "not installed": the file is written), except where the case puts
 * the client's own CLI on PATH (Claude Code then goes through `claude mcp add-json`); the client runs with only
 * node on PATH, from its own absolute path in node_modules/.bin.
 */
const BIN = join(REPO_ROOT, 'node_modules', '.bin');
const exec = promisify(execFile);

interface Case {
  name: string;
  client: string;
  /** The folder the client makes on first start (how setup sees it installed). */
  folder: string[];
  list: string[];
  /** What the listing must show, given the output (ANSI stripped) and the built CLI's path. */
  check: (output: string, cli: string) => void;
  /** Put the client's own program on setup's PATH (setup then uses it where it does). */
  cliOnPath?: string;
}

const CASES: Case[] = [
  {
    name: 'gemini',
    client: 'gemini',
    folder: ['.gemini'],
    list: ['gemini', 'mcp', 'list'],
    check: (out) => expect(out).toMatch(/✓ daytona: .* bridge \(stdio\) - Connected/),
  },
  {
    name: 'gemini, through its own `gemini mcp add`',
    client: 'gemini',
    folder: ['.gemini'],
    list: ['gemini', 'mcp', 'list'],
    cliOnPath: 'gemini',
    check: (out) => expect(out).toMatch(/✓ daytona: .* bridge \(stdio\) - Connected/),
  },
  {
    name: 'codex, through its own `codex mcp add`',
    client: 'codex',
    folder: ['.codex'],
    list: ['codex', 'mcp', 'list'],
    cliOnPath: 'codex',
    check: (out, cli) =>
      expect(out).toMatch(new RegExp(`daytona +${escape(process.execPath)} +${escape(cli)} bridge +DAYTONA_TRAY_HOME=\\*+ +- +enabled`)),
  },
  {
    name: 'codex',
    client: 'codex',
    folder: ['.codex'],
    list: ['codex', 'mcp', 'list'],
    check: (out, cli) =>
      expect(out).toMatch(new RegExp(`daytona +${escape(process.execPath)} +${escape(cli)} bridge +DAYTONA_TRAY_HOME=\\*+ +- +enabled`)),
  },
  {
    name: 'claude-code, file written by setup',
    client: 'claude-code',
    folder: ['.claude'],
    list: ['claude', 'mcp', 'list'],
    check: (out, cli) => expect(out).toContain(`daytona: ${process.execPath} ${cli} bridge - ✓ Connected`),
  },
  {
    name: 'claude-code, through its own `claude mcp add-json`',
    client: 'claude-code',
    folder: ['.claude'],
    list: ['claude', 'mcp', 'list'],
    cliOnPath: 'claude',
    check: (out, cli) => expect(out).toContain(`daytona: ${process.execPath} ${cli} bridge - ✓ Connected`),
  },
  {
    // Copilot CLI lists without starting servers: `mcp get --json` must show our entry as it reads it.
    name: 'copilot-cli',
    client: 'copilot-cli',
    folder: ['.copilot'],
    list: ['copilot', 'mcp', 'get', 'daytona', '--json'],
    check: (out, cli) =>
      expect(JSON.parse(out).daytona).toEqual({
        type: 'local',
        command: process.execPath,
        args: [cli, 'bridge'],
        env: { DAYTONA_TRAY_HOME: expect.any(String) },
        tools: ['*'],
        source: 'user',
        enabled: true,
      }),
  },
];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

let home: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: home, cleanup } = await tempDir('clients-real-cli-'));
  await mkdir(join(home, 'empty-bin'));
  await mkdir(join(home, 'project'));
});
afterEach(async () => cleanup());

describe.each(CASES)('$name, through its own CLI', (c) => {
  it('after `setup`, its own listing shows our daytona entry (connected where it starts servers)', async () => {
    await mkdir(join(home, ...c.folder), { recursive: true });
    const state = join(home, 'state');
    const setupBin = join(home, 'empty-bin');
    if (c.cliOnPath) await symlink(join(BIN, c.cliOnPath), join(setupBin, c.cliOnPath));
    const setup = await exec(process.execPath, [CLI, 'setup', c.client], {
      // The client's program, when on PATH, runs with node beside it (its #! line asks env for node).
      env: { HOME: home, PATH: c.cliOnPath ? `${setupBin}:${dirname(process.execPath)}` : setupBin, DAYTONA_TRAY_HOME: state },
      timeout: 90_000,
    });
    expect(setup.stdout).toMatch(/: connected \(/);
    if (c.cliOnPath) expect(setup.stdout).toContain(`via the ${c.cliOnPath} CLI`);
    if (c.client === 'gemini') {
      // Gemini CLI runs user servers only in a folder the user trusted; the user would have, for their project.
      await writeFile(join(home, '.gemini', 'trustedFolders.json'), JSON.stringify({ [join(home, 'project')]: 'TRUST_FOLDER' }));
    }
    const [program, ...args] = c.list;
    // (Gemini CLI prints its listing on stderr, the others on stdout.)
    // A short grace period: the shared server our bridge starts goes away with the test.
    const listed = await exec(join(BIN, program!), args, {
      cwd: join(home, 'project'),
      env: { HOME: home, PATH: dirname(process.execPath), DAYTONA_TRAY_SHARED_GRACE_MS: '500', NO_COLOR: '1' },
      timeout: 120_000,
    });
    c.check(stripVTControlCharacters(c.list.includes('--json') ? listed.stdout : listed.stdout + listed.stderr), CLI);
  });
});
