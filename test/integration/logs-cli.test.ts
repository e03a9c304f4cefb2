import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogFile } from '../../main/core/logs/log-file.ts';
import { cliEnv, runCliToExit, spawnCli } from '../helpers/local-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** `daytona-tray logs`, as a user runs the built CLI, over the file the app writes. */
describe('daytona-tray logs', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let env: NodeJS.ProcessEnv;
  let file: string;
  beforeEach(async () => {
    home = await tempDir('daytona-tray-logs-');
    env = cliEnv(home.path);
    file = join(home.path, 'logs', 'daytona-tray.log');
  });
  afterEach(() => home.cleanup());

  it('before the app ever ran: says where the log will be, and succeeds', async () => {
    const result = await runCliToExit(['logs'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`No log yet at ${file}`);
  });

  it('prints the last lines (default 50, --lines N), and --path prints where the file is', async () => {
    const log = createLogFile({ path: file });
    for (let index = 1; index <= 60; index += 1) log.write(`2026-12-07T00:00:00.000Z mcp: line ${index}`);
    const all = await runCliToExit(['logs'], env);
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(50);
    expect(lines[0]).toContain('line 11');
    expect(lines.at(-1)).toContain('line 60');

    const two = await runCliToExit(['logs', '--lines', '2'], env);
    expect(two.stdout).toBe('2026-12-07T00:00:00.000Z mcp: line 59\n2026-12-07T00:00:00.000Z mcp: line 60\n');
    expect((await runCliToExit(['logs', '--path'], env)).stdout).toBe(`${file}\n`);
  });

  it('a bad --lines is refused with what it takes', async () => {
    const result = await runCliToExit(['logs', '--lines', 'many'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--lines takes a whole number of lines, not 'many'");
  });

  it('--follow prints lines as the app writes them, and ends quietly on Ctrl-C', async () => {
    const log = createLogFile({ path: file });
    log.write('already there');
    const follow = spawnCli(['logs', '--follow', '--lines', '1'], env);
    await expect.poll(() => follow.stdout(), { timeout: 20_000 }).toBe('already there\n');
    log.write('written later');
    await expect.poll(() => follow.stdout(), { timeout: 20_000 }).toBe('already there\nwritten later\n');
    follow.child.kill('SIGINT');
    expect(await follow.exited).toEqual({ code: 0, signal: null });
    expect(follow.stderr()).toBe('');
  });
});
