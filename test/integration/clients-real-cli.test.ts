import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// Not Qwen Code (@qwen-code/qwen-code 0.24.4) nor OpenCode (opencode-ai 1.18.33): `npm ci` cannot install them from the
// registry this CI reaches, which lacks one of each one's optional per-platform packages (darwin-arm64), so a
// lockfile holding them fails `npm ci`. Both were checked by hand once (their `mcp list` showed daytona connected).
/**
 * `daytona-tray setup <client>` checked by the client itself: the real CLIs that npm ships, pinned as
 * devDependencies, read the config setup wrote and list it. Gemini CLI starts our bridge and reports it connected; Codex CLI only lists, so it must show our entry exactly. Setup runs
 * with an empty PATH (the client's program "not installed": the file is written); the client runs with
 * only node on PATH, from its own absolute path in node_modules/.bin.
 */
const BIN = join(REPO_ROOT, 'node_modules', '.bin');
const exec = promisify(execFile);

interface Case {
  client: string;
  /** The folder the client makes on first start (how setup sees it installed). */
  folder: string[];
  list: string[];
  shows: (cli: string) => RegExp;
}

const CASES: Case[] = [
  { client: 'gemini', folder: ['.gemini'], list: ['gemini', 'mcp', 'list'], shows: () => /✓ daytona: .* bridge \(stdio\) - Connected/ },
  {
    client: 'codex',
    folder: ['.codex'],
    list: ['codex', 'mcp', 'list'],
    shows: (cli) => new RegExp(`daytona +${escape(process.execPath)} +${escape(cli)} bridge +DAYTONA_TRAY_HOME=\\*+ +- +enabled`),
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

describe.each(CASES)('$client, through its own CLI', (c) => {
  it('after `setup`, its own listing shows our daytona entry (connected where it starts servers)', async () => {
    await mkdir(join(home, ...c.folder), { recursive: true });
    const state = join(home, 'state');
    const setup = await exec(process.execPath, [CLI, 'setup', c.client], {
      env: { HOME: home, PATH: join(home, 'empty-bin'), DAYTONA_TRAY_HOME: state },
      timeout: 30_000,
    });
    expect(setup.stdout).toMatch(/: connected \(/);
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
    expect(stripVTControlCharacters(listed.stdout + listed.stderr)).toMatch(c.shows(CLI));
  });
});
