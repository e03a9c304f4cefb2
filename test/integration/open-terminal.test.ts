import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Daytona, Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTerminalOpener, onPath } from '../../main/core/terminal/open-terminal.ts';
import { startTestApp, type TestApp } from '../helpers/app-harness.ts';
import { skipWhen } from '../helpers/skip.ts';

const WAIT = { timeout: 45_000, interval: 100 };
const noDisplay = ['Xvfb', 'xterm'].filter((program) => !onPath(program, process.env));
const skip = noDisplay.length > 0 ? `${noDisplay.join(' and ')} not installed (apt-get install xvfb xterm)` : undefined;

/** Starts Xvfb on a free display (it picks one and writes its number to the fd we give it). */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1024x768x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const number = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.trim());
    });
    child.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
  return { display: `:${number}`, process: child };
}

/** Host processes whose command line contains `text` (pid and the command line, NUL-separated words joined by spaces). */
function processesWith(text: string): { pid: number; cmdline: string }[] {
  const pids = spawnSync('pgrep', ['-f', text], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
  return pids.flatMap((pid) => {
    try {
      return [{ pid, cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ') }];
    } catch {
      return [];
    }
  });
}

// The tray's "Open terminal" on the local provider, all real: the app's handler, the OS terminal emulator (xterm on
// an Xvfb display), `daytona-tray shell` in it, the supervised local provider's PTY session.
describe('Open terminal: a real xterm runs daytona-tray shell in the sandbox', skipWhen(skip, 'desktop'), () => {
  let xvfb: Awaited<ReturnType<typeof startXvfb>>;
  let test: TestApp;
  let daytona: Daytona;
  let sandbox: Sandbox;

  beforeAll(async () => {
    xvfb = await startXvfb();
    const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: xvfb.display };
    delete env.TERMINAL;
    test = await startTestApp({
      minuteMs: 60_000,
      // The real opener; only which emulators exist is narrowed to xterm, so the test does not depend on the machine's choice.
      terminal: createTerminalOpener({ platform: 'linux', env, has: (program) => program === 'xterm' }),
    });
  });
  afterAll(async () => {
    await daytona?.[Symbol.asyncDispose]();
    await test?.cleanup();
    xvfb?.process.kill();
  });

  it('opens xterm with the shell attached to a PTY in the sandbox; the key is in no argv; exiting the shell closes it', async () => {
    await expect.poll(() => test.state().server.localProvider?.state, WAIT).toBe('running');
    daytona = test.localDaytona();
    sandbox = await daytona.create({ name: 'terminal-box' });
    await expect.poll(() => test.state().sandboxes.some((view) => view.id === sandbox.id), WAIT).toBe(true);
    const endpoint = test.supervisor.localEndpoint()!;
    const opened = await test.call('openTerminal', { id: sandbox.id });
    expect(opened).toEqual({ ok: true, value: { emulator: 'xterm', via: 'shell' } });

    // The CLI in the xterm has opened a PTY session in the sandbox.
    const shellSession = async () =>
      (await sandbox.process.listPtySessions()).find((session) => session.id.startsWith('daytona-tray-shell-'));
    await expect.poll(async () => (await shellSession())?.active, WAIT).toBe(true);
    const xterms = processesWith('Daytona sandbox terminal-box');
    expect(xterms.length).toBeGreaterThan(0);
    for (const { cmdline } of [...xterms, ...processesWith(`shell ${sandbox.id}`)]) expect(cmdline).not.toContain(endpoint.apiKey);

    // Type into that shell (as a second client of its session): it runs in the sandbox.
    const joined = await sandbox.process.connectPty((await shellSession())!.id, { onData: () => {} });
    await joined.sendInput('echo "typed-$((40+2))" > ~/xterm-was-here; exit 4\n');
    await expect.poll(async () => (await sandbox.fs.downloadFile('xterm-was-here')).toString(), WAIT).toBe('typed-42\n');
    await joined.disconnect();
    // The shell's exit ends the CLI, and with it the xterm window.
    await expect.poll(() => processesWith('Daytona sandbox terminal-box').length, WAIT).toBe(0);
    expect(await shellSession()).toBeUndefined();
  });
});
