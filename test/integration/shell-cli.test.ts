import type { Sandbox } from '@daytonaio/sdk';
import { spawn as spawnTerminal, type IPty } from '@lydell/node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCliToExit } from '../helpers/local-cli.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { CLI } from '../helpers/paths.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** `daytona-tray shell` on a real terminal (a pty of the test's own), as a user's terminal emulator runs it. */
function openShell(args: string[], env: NodeJS.ProcessEnv, size = { cols: 100, rows: 30 }) {
  const terminal: IPty = spawnTerminal(process.execPath, [CLI, 'shell', ...args], {
    ...size,
    env: env as Record<string, string>,
    name: 'xterm-256color',
  });
  let screen = '';
  terminal.onData((data) => {
    screen += data;
  });
  const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
  const waitFor = async (pattern: RegExp, limitMs = 30_000) => {
    const deadline = Date.now() + limitMs;
    while (!pattern.test(screen)) {
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}; it shows:\n${screen.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  return { terminal, exited, waitFor, screen: () => screen };
}

describe('daytona-tray shell: a terminal in a sandbox, under a real PTY', skipWhen(bubblewrapSkipReason(), 'bubblewrap'), () => {
  let t: TestProvider;
  let sandbox: Sandbox;
  let home: Awaited<ReturnType<typeof tempDir>>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    t = await startTestProvider();
    sandbox = await t.daytona.create({ name: 'shell-cli' });
    home = await tempDir('daytona-tray-shell-home-');
    // As the tray hands the local provider to the terminal it opens: through the environment, never argv.
    env = cliEnv(home.path, { DAYTONA_API_URL: t.provider.apiUrl, DAYTONA_API_KEY: t.provider.apiKey });
  });
  afterAll(async () => {
    await t?.stop();
    await home?.cleanup();
  });

  it('runs typed commands in the sandbox, follows the window size, and exits with the shell’s exit code', async () => {
    const shell = openShell([sandbox.name], env);
    await shell.waitFor(/daytona@/); // the sandbox shell's prompt (user daytona), not the host's
    // The user's terminal sends Enter as CR (raw mode passes it through; the sandbox's terminal turns it into a newline).
    shell.terminal.write('stty size; echo "in:$(whoami):$HOME:$((6*7))"\r');
    await shell.waitFor(/^30 100\r?$/m);
    await shell.waitFor(/^in:daytona:\/home\/daytona:42\r?$/m);

    shell.terminal.resize(120, 40);
    // The resize travels as SIGWINCH to the CLI, then through the SDK to the sandbox's terminal.
    await expect
      .poll(async () => (await sandbox.process.listPtySessions()).find((session) => session.id.startsWith('daytona-tray-shell-'))?.cols, {
        timeout: 20_000,
      })
      .toBe(120);
    shell.terminal.write('stty size\r');
    await shell.waitFor(/^40 120\r?$/m);

    shell.terminal.write('exit 9\r');
    expect(await shell.exited).toBe(9);
    // Its session is gone with the shell.
    expect(await sandbox.process.listPtySessions()).toEqual([]);
  });

  it('Ctrl-C reaches the sandbox (raw mode), not the CLI: the shell survives it', async () => {
    const shell = openShell([sandbox.id], env);
    await shell.waitFor(/daytona@/);
    // However far the line got when Ctrl-C arrives (interactive bash aborts the whole list), the sleep is interrupted.
    shell.terminal.write('echo "sleep-$((1+1))"; sleep 600\r');
    await shell.waitFor(/^sleep-2\r?$/m);
    shell.terminal.write('\x03');
    shell.terminal.write('echo "after-interrupt-$((2+3))"\r');
    await shell.waitFor(/^after-interrupt-5\r?$/m);
    shell.terminal.write('exit\r');
    expect(await shell.exited).toBe(0);
  });

  it('says what is wrong: no such sandbox, and a stopped sandbox', async () => {
    const missing = await runCliToExit(['shell', 'no-such-sandbox'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/could not find sandbox 'no-such-sandbox'/);
    const stopped = await t.daytona.create({ name: 'shell-stopped' });
    await stopped.stop();
    const result = await runCliToExit(['shell', 'shell-stopped'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/sandbox 'shell-stopped' is stopped: start it first/);
    expect(result.stderr).not.toContain(t.provider.apiKey);
  });
});

describe('daytona-tray shell: usage', () => {
  it('needs exactly one sandbox; the local profile without an address says to use the tray', async () => {
    const home = await tempDir('daytona-tray-shell-usage-');
    try {
      const env = cliEnv(home.path);
      delete env.DAYTONA_API_KEY;
      delete env.DAYTONA_API_URL;
      const none = await runCliToExit(['shell'], env);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/missing argument/);
      const local = await runCliToExit(['shell', 'some-sandbox'], env);
      expect(local.code).toBe(1);
      expect(local.stderr).toMatch(/local provider, which runs inside the tray: open the sandbox's terminal from the tray/);
    } finally {
      await home.cleanup();
    }
  });
});
