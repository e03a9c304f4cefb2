import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCliToExit } from '../helpers/local-cli.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { CLI } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** The built CLI meeting odd files as a user's machine has them: a hand-edited settings file, a file where a folder should be. */
describe('settings read leniently; a file that cannot be read is named, never moved or overwritten', () => {
  let home: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    home = await tempDir('daytona-tray-settings-cli-');
  });
  afterAll(async () => {
    await home?.cleanup();
  });

  it('status reads a settings file with comments and a trailing comma, and leaves it as it is', async () => {
    const app = join(home.path, 'jsonc');
    await mkdir(app);
    const text = '// edited by hand\n{\n  "activeProfile": "local",\n  "lowBalanceThresholdCents": 100,\n}\n';
    await writeFile(join(app, 'settings.json'), text);
    const result = await runCliToExit(['status'], cliEnv(home.path, { DAYTONA_TRAY_HOME: app }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Profile:     local (the embedded local provider)');
    expect(result.stdout).not.toContain('cannot be read');
    expect(await readdir(app)).toEqual(['settings.json']);
    expect(await readFile(join(app, 'settings.json'), 'utf8')).toBe(text);
  });

  it('status names a settings file it cannot read (and the line), and does not move it; login refuses to write over it', async () => {
    const app = join(home.path, 'broken');
    await mkdir(app);
    const text = '{\n  "activeProfile": "cloud"\n  "startAtLogin": true\n}\n';
    const file = join(app, 'settings.json');
    await writeFile(file, text);
    const status = await runCliToExit(['status'], cliEnv(home.path, { DAYTONA_TRAY_HOME: app }));
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      `The settings file ${file} cannot be read (line 3, column 3: CommaExpected), so the defaults are in use and nothing will be saved over it. Fix it, or move it away to start from defaults.`,
    );
    const login = await runCliToExit(['login', '--profile', 'local'], cliEnv(home.path, { DAYTONA_TRAY_HOME: app }));
    expect(login.code).toBe(1);
    expect(login.stderr).toContain(`The settings file ${file} cannot be read (line 3, column 3: CommaExpected), so nothing was changed.`);
    expect(await readdir(app)).toEqual(['settings.json']);
    expect(await readFile(file, 'utf8')).toBe(text);
  });
});

describe('a file where a data folder should be: what is wrong and what to do, not errno', () => {
  let home: Awaited<ReturnType<typeof tempDir>>;
  let blocker: string;
  beforeAll(async () => {
    home = await tempDir('daytona-tray-datadir-cli-');
    blocker = join(home.path, 'not-a-folder');
    await writeFile(blocker, 'x');
  });
  afterAll(async () => {
    await home?.cleanup();
  });

  it('DAYTONA_TRAY_HOME is a file: login, status, mcp --http and local say so and how to fix it', async () => {
    const env = cliEnv(home.path, { DAYTONA_TRAY_HOME: blocker });
    const expected = `${blocker} is a file, but Daytona Tray needs a folder there. Set DAYTONA_TRAY_HOME to a folder (or unset it), or move that file away, then retry.`;
    for (const args of [['login', '--profile', 'local'], ['mcp', '--http'], ['local']]) {
      const result = await runCliToExit(args, env);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toContain(expected);
      expect(result.stderr, args.join(' ')).not.toMatch(/EEXIST|ENOTDIR|file already exists/);
    }
    const status = await runCliToExit(['status'], env);
    expect(status.stdout).toContain(expected);
    expect(await readFile(blocker, 'utf8')).toBe('x');
  });

  it('a data dir under a file names the file in the way', async () => {
    const result = await runCliToExit(['local', '--data-dir', join(blocker, 'data')], cliEnv(home.path));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `daytona-tray local: could not start: ${blocker} is a file, but Daytona Tray needs it to be a folder (for ${join(blocker, 'data')}). Move that file away (or rename it), then retry.`,
    );
  });
});

describe('the command line itself', () => {
  let provider: TestProvider;
  let home: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    provider = await startTestProvider();
    home = await tempDir('daytona-tray-cli-misc-');
  });
  afterAll(async () => {
    await provider?.stop();
    await home?.cleanup();
  });

  it('--version prints the version from package.json', async () => {
    const { version } = JSON.parse(await readFile(join(CLI, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await runCliToExit([flag], cliEnv(home.path));
      expect(result).toMatchObject({ code: 0, stdout: `daytona-tray ${version}\n`, stderr: '' });
    }
  });

  it('watch --json | head -1: a closed stdout ends the command quietly (exit 0, no EPIPE trace)', async () => {
    const child = spawn(process.execPath, [CLI, 'watch', '--json', '--poll-ms', '100'], {
      env: cliEnv(home.path, { DAYTONA_API_URL: provider.provider.apiUrl, DAYTONA_API_KEY: provider.provider.apiKey }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal })),
    );
    // Like `head -1`: read one line, then close the pipe; the next line (a poll status, a change) meets EPIPE.
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    child.stdout.destroy();
    await provider.daytona.create({ name: 'after-head' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const exit = await exited.finally(() => clearTimeout(timer));
    expect(JSON.parse(first.split('\n')[0]!)).toMatchObject({ type: 'status' });
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+/);
  });

  it('status does not name a pid from a stale runtime file that an unrelated process now has', async () => {
    const app = join(home.path, 'reused');
    await mkdir(app);
    const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await writeFile(
        join(app, 'mcp-server.json'),
        JSON.stringify({
          version: 1,
          url: 'http://127.0.0.1:9/mcp',
          port: 9,
          token: 'x'.repeat(43),
          pid: stranger.pid,
          startedAt: new Date().toISOString(),
        }),
        { mode: 0o600 },
      );
      const result = await runCliToExit(['status', '--json'], cliEnv(home.path, { DAYTONA_TRAY_HOME: app }));
      expect(result.code).toBe(0);
      const { server } = JSON.parse(result.stdout) as { server: { state: string; note: string } };
      expect(server.state).toBe('not running');
      expect(server.note).toContain('has exited');
      expect(result.stdout).not.toContain(`stop pid ${stranger.pid}`);
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('nor one whose process began after the runtime file was written, even if its command line says mcp', async () => {
    const app = join(home.path, 'reused-mcp');
    await mkdir(app);
    // Looks like ours by its command line; started long after the file below says its server started.
    const stranger = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', 'mcp'], { stdio: 'ignore' });
    try {
      const runtime = { version: 1, url: 'http://127.0.0.1:9/mcp', port: 9, token: 'x'.repeat(43), pid: stranger.pid };
      const write = (startedAt: Date) =>
        writeFile(join(app, 'mcp-server.json'), JSON.stringify({ ...runtime, startedAt: startedAt.toISOString() }), { mode: 0o600 });
      const status = async () => {
        const result = await runCliToExit(['status', '--json'], cliEnv(home.path, { DAYTONA_TRAY_HOME: app }));
        expect(result.code).toBe(0);
        return (JSON.parse(result.stdout) as { server: { state: string; note?: string } }).server;
      };
      await write(new Date(Date.now() - 3_600_000));
      expect(await status()).toMatchObject({ state: 'not running', note: expect.stringContaining('has exited') });
      // The same process with a file written after it began is taken as the server (it does not answer /health).
      await write(new Date(Date.now() + 1_000));
      expect(await status()).toMatchObject({ state: 'not responding', note: expect.stringContaining(`stop pid ${stranger.pid}`) });
    } finally {
      stranger.kill('SIGKILL');
    }
  });
});
