import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/paths.ts';
import { clientProgram, missingClientsReason } from '../helpers/real-clients.ts';
import { skipWhen } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// Qwen Code and OpenCode come from test/real-clients (installed by .ci/run), not the project's lockfile, which
// cannot hold them (test/real-clients/package.json says why); without them these cases skip, in CI they fail.
// Not Crush (@charmland/crush): its install script downloads the binary from GitHub, which CI cannot reach.
// Not Continue (@continuedev/cli): `cn` has no command that lists or checks MCP servers, and a run needs a model.
// Zed, VS Code, Cursor and the other desktop apps are not on npm.
/**
 * `daytona-tray setup <client>` checked by the client itself: the real CLIs that npm ships, pinned exactly,
 * read the config setup wrote and list it. Gemini CLI, Qwen Code, Claude Code and OpenCode start our bridge and
 * report it connected; Codex CLI and Copilot CLI only list, so they must show our entry exactly. Setup runs
 * with an empty PATH (the client's program "not installed": the file is written), except where the case puts
 * the client's own CLI on PATH (setup then goes through its `mcp add`); the client runs with only node on PATH,
 * from its own absolute path in node_modules/.bin. Last, `setup all` with every one of them installed.
 */
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

const CONNECTED_STDIO = /✓ daytona: .* bridge \(stdio\) - Connected/;

const CASES: Case[] = [
  {
    name: 'gemini',
    client: 'gemini',
    folder: ['.gemini'],
    list: ['gemini', 'mcp', 'list'],
    check: (out) => expect(out).toMatch(CONNECTED_STDIO),
  },
  {
    name: 'gemini, through its own `gemini mcp add`',
    client: 'gemini',
    folder: ['.gemini'],
    list: ['gemini', 'mcp', 'list'],
    cliOnPath: 'gemini',
    check: (out) => expect(out).toMatch(CONNECTED_STDIO),
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
    name: 'qwen',
    client: 'qwen',
    folder: ['.qwen'],
    list: ['qwen', 'mcp', 'list'],
    check: (out) => expect(out).toMatch(CONNECTED_STDIO),
  },
  {
    name: 'qwen, through its own `qwen mcp add`',
    client: 'qwen',
    folder: ['.qwen'],
    list: ['qwen', 'mcp', 'list'],
    cliOnPath: 'qwen',
    check: (out) => expect(out).toMatch(CONNECTED_STDIO),
  },
  {
    // OpenCode starts the server and prints its command line under the name.
    name: 'opencode',
    client: 'opencode',
    folder: ['.config', 'opencode'],
    list: ['opencode', 'mcp', 'list'],
    check: (out, cli) =>
      expect(out).toMatch(new RegExp(`✓ daytona connected\\s*\\n\\S*\\s+${escape(process.execPath)} ${escape(cli)} bridge\\n`)),
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
  await mkdir(join(home, 'setup-bin'));
  await mkdir(join(home, 'project'));
});
afterEach(async () => cleanup());

/** The client installed as setup sees it: its folder made, and `programs` (absolute links) on setup's PATH. */
async function install(c: Case, programs: string[]): Promise<void> {
  await mkdir(join(home, ...c.folder), { recursive: true });
  for (const program of programs) await symlink(clientProgram(program), join(home, 'setup-bin', program));
}

async function setup(which: string, withPrograms: boolean): Promise<string> {
  const { stdout } = await exec(process.execPath, [CLI, 'setup', which], {
    // A client's program, when on PATH, runs with node beside it (its #! line asks env for node).
    env: {
      HOME: home,
      PATH: withPrograms ? `${join(home, 'setup-bin')}:${dirname(process.execPath)}` : join(home, 'setup-bin'),
      DAYTONA_TRAY_HOME: join(home, 'state'),
    },
    timeout: 120_000,
  });
  return stdout;
}

/** The client's own listing (ANSI stripped), run from its absolute path with only node on PATH. */
async function listing(c: Case): Promise<string> {
  if (c.client === 'gemini') {
    // Gemini CLI runs user servers only in a folder the user trusted; the user would have, for their project.
    await writeFile(join(home, '.gemini', 'trustedFolders.json'), JSON.stringify({ [join(home, 'project')]: 'TRUST_FOLDER' }));
  }
  const [program, ...args] = c.list;
  // A short grace period: the shared server our bridge starts goes away with the test.
  const listed = await exec(clientProgram(program!), args, {
    cwd: join(home, 'project'),
    env: { HOME: home, PATH: dirname(process.execPath), DAYTONA_TRAY_SHARED_GRACE_MS: '500', NO_COLOR: '1' },
    timeout: 120_000,
  });
  // (Gemini CLI and Qwen Code print their listing on stderr, the others on stdout.)
  return stripVTControlCharacters(c.list.includes('--json') ? listed.stdout : listed.stdout + listed.stderr);
}

describe.each(CASES)('$name, through its own CLI', (c) => {
  const programs = [...new Set([c.list[0]!, ...(c.cliOnPath ? [c.cliOnPath] : [])])];
  it(
    'after `setup`, its own listing shows our daytona entry (connected where it starts servers)',
    { timeout: 240_000, ...skipWhen(missingClientsReason(programs), 'real-clients') },
    async () => {
      await install(c, c.cliOnPath ? [c.cliOnPath] : []);
      const said = await setup(c.client, c.cliOnPath !== undefined);
      expect(said).toMatch(/: connected \(/);
      if (c.cliOnPath) expect(said).toContain(`via the ${c.cliOnPath} CLI`);
      c.check(await listing(c), CLI);
    },
  );
});

describe('`setup all` on a machine with every npm-shipped client installed (issue 11, "done when")', () => {
  // One case per client: through its own CLI where it has one (setup uses it, as the program is on PATH), else the file.
  const cases = CASES.filter((c) => c.cliOnPath !== undefined || !CASES.some((o) => o.client === c.client && o.cliOnPath !== undefined));
  const programs = cases.map((c) => c.list[0]!);
  it(
    "wires every one of them, and each one's own listing shows daytona (connected where it connects)",
    { timeout: 600_000, ...skipWhen(missingClientsReason(programs), 'real-clients') },
    async () => {
      expect(cases.map((c) => c.client).sort()).toEqual(['claude-code', 'codex', 'copilot-cli', 'gemini', 'opencode', 'qwen']);
      for (const c of cases) await install(c, [c.list[0]!]);
      const said = await setup('all', true);
      const connected = said.split('\n').filter((line) => line.includes(': connected ('));
      expect(connected).toHaveLength(cases.length);
      for (const c of cases) if (c.cliOnPath) expect(said).toContain(`via the ${c.cliOnPath} CLI`);
      // One after another: each listing that connects starts a bridge, and the machine has two cores.
      for (const c of cases) c.check(await listing(c), CLI);
    },
  );
});
