import { homedir } from 'node:os';
import { DaytonaConnectionError, DaytonaNotFoundError, type PtyHandle, type Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_NAME } from '../../main/local/sandbox-runner/agent/sandbox-agent.ts';
import { startPlainTestProvider, startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';

/** A terminal's output so far, and a way to wait until it shows something. */
class Screen {
  text = '';
  readonly onData = (data: Uint8Array) => {
    this.text += Buffer.from(data).toString('utf8');
  };

  async waitFor(pattern: RegExp, limitMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const match = pattern.exec(this.text);
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}; it shows:\n${this.text.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** Opens a PTY through the SDK's createPty (create-connect over WebSocket). */
async function openPty(sandbox: Sandbox, id: string, options: { cols?: number; rows?: number; envs?: Record<string, string> } = {}) {
  const screen = new Screen();
  const handle = await sandbox.process.createPty({ id, onData: screen.onData, ...options });
  return { screen, handle };
}

describe('local provider: PTY sessions through the unmodified SDK', skipWhen(bubblewrapSkipReason(), 'bubblewrap'), () => {
  let t: TestProvider;
  let sandbox: Sandbox;

  beforeAll(async () => {
    t = await startTestProvider();
    sandbox = await t.daytona.create({ name: 'pty', envVars: { FROM_CREATE: 'sandbox-env' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('echoes typed input and runs it in an interactive shell in the sandbox, with the sandbox and PTY variables', async () => {
    const { screen, handle } = await openPty(sandbox, 'echo', { envs: { FROM_PTY: 'pty-env' } });
    expect(handle.isConnected()).toBe(true);
    await handle.sendInput('echo "answer-$((6*7)) $FROM_CREATE $FROM_PTY $(whoami) $(pwd)"\n');
    // The typed line comes back (the terminal echoes it), then what it printed.
    await screen.waitFor(/echo "answer-\$\(\(6\*7\)\)/);
    await screen.waitFor(/answer-42 sandbox-env pty-env daytona \/home\/daytona/);
    await handle.sendInput('exit 7\n');
    expect(await handle.wait()).toMatchObject({ exitCode: 7 });
    await handle.disconnect();
  });

  it('a resize reaches the shell: stty size shows the new size, and the session info records it', async () => {
    const { screen, handle } = await openPty(sandbox, 'resize', { cols: 100, rows: 30 });
    await handle.sendInput('stty size\n');
    await screen.waitFor(/^30 100\r?$/m);
    const info = await handle.resize(132, 43);
    expect(info).toMatchObject({ id: 'resize', cols: 132, rows: 43, active: true });
    await handle.sendInput('stty size\n');
    await screen.waitFor(/^43 132\r?$/m);
    expect(await sandbox.process.getPtySessionInfo('resize')).toMatchObject({ cols: 132, rows: 43 });
    await handle.kill();
  });

  it('lists live sessions; kill ends the shell (exit 137) and the session leaves the list', async () => {
    const { screen, handle } = await openPty(sandbox, 'listed');
    await handle.sendInput('echo ready-$((1+1))\n');
    await screen.waitFor(/ready-2/);
    const listed = await sandbox.process.listPtySessions();
    expect(listed.find((session) => session.id === 'listed')).toMatchObject({ active: true, cwd: '/home/daytona', lazyStart: false });
    expect(listed.find((session) => session.id === 'listed')?.envs).toMatchObject({ TERM: 'xterm-256color' });

    await sandbox.process.killPtySession('listed');
    expect(await handle.wait()).toMatchObject({ exitCode: 137, error: 'SIGKILL' });
    expect((await sandbox.process.listPtySessions()).map((session) => session.id)).not.toContain('listed');
    await expect(sandbox.process.getPtySessionInfo('listed')).rejects.toBeInstanceOf(DaytonaNotFoundError);
  });

  it('a second client connects to a running session (connectPty) and both see its output', async () => {
    const first = await openPty(sandbox, 'shared');
    const second = new Screen();
    const joined = await sandbox.process.connectPty('shared', { onData: second.onData });
    await joined.sendInput('echo from-second-$((3*3))\n');
    await first.screen.waitFor(/from-second-9/);
    await second.waitFor(/from-second-9/);
    await joined.disconnect();
    await first.handle.sendInput('exit\n');
    expect(await first.handle.wait()).toMatchObject({ exitCode: 0 });
  });

  it('refuses what the daemon refuses: a duplicate id, a missing session', async () => {
    const { handle } = await openPty(sandbox, 'taken');
    await expect(openPty(sandbox, 'taken')).rejects.toThrow();
    const missing = await sandbox.process.connectPty('nobody-here', { onData: () => {} }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(DaytonaConnectionError);
    expect((missing as Error).message).toMatch(/PTY session nobody-here not found/);
    await handle.kill();
  });

  it("the shell cannot see the host's home, nor the host's processes", async () => {
    const { screen, handle } = await openPty(sandbox, 'isolated');
    await handle.sendInput(
      `test -e '${homedir()}' && echo "home:visible" || echo "home:hidden"; echo "pids:$(ls /proc | grep -c '^[0-9]')"\n`,
    );
    await screen.waitFor(/home:(visible|hidden)\r?$/m);
    expect(screen.text).toMatch(/^home:hidden\r?$/m);
    // Only the sandbox's own few processes (its init, the shell, this pipeline), not the host's hundreds.
    const pids = Number((await screen.waitFor(/^pids:(\d+)\r?$/m))[1]);
    expect(pids).toBeLessThan(15);
    await handle.kill();
  });

  it("starts the shell from inside, through the sandbox's agent: its child, in the sandbox's namespaces, on the sandbox's devpts", async () => {
    const namespaces = 'readlink /proc/self/ns/pid /proc/self/ns/mnt /proc/self/ns/user /proc/self/ns/uts | tr "\\n" " "';
    const expected = (await sandbox.process.executeCommand(namespaces)).result.trim();
    const { screen, handle } = await openPty(sandbox, 'inside');
    await handle.sendInput(`echo "ns:$(${namespaces})"; echo "parent:$(ps -o args= -p $PPID)"; echo "tty:$(tty)"\n`);
    const [, seen] = (await screen.waitFor(/^ns:(.+?) ?\r?$/m)) as unknown as [string, string];
    expect(seen.trim()).toBe(expected);
    expect((await screen.waitFor(/^parent:(.*)\r?$/m))[1]).toMatch(new RegExp(`${AGENT_NAME}\\s*$`));
    expect((await screen.waitFor(/^tty:(.*)\r?$/m))[1]).toMatch(/^\/dev\/pts\/\d+\s*$/);
    await handle.kill();
  });

  it('ends with the sandbox: stopping it ends the shell and the session', async () => {
    const other = await t.daytona.create({ name: 'pty-stop' });
    const { screen, handle } = await openPty(other, 'doomed');
    await handle.sendInput('echo up\n');
    await screen.waitFor(/^up\r?$/m);
    await other.stop();
    const result: { exitCode?: number } = await handle.wait();
    expect(result.exitCode).not.toBe(0);
    await other.start();
    expect(await other.process.listPtySessions()).toEqual([]);
    await other.delete();
  });
});

describe('local provider: PTY sessions without bubblewrap (plain processes)', () => {
  let t: TestProvider;
  let sandbox: Sandbox;

  beforeAll(async () => {
    t = await startPlainTestProvider();
    sandbox = await t.daytona.create({ name: 'pty-plain' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("echoes input, reports a resize and passes the shell's exit code", async () => {
    const { screen, handle }: { screen: Screen; handle: PtyHandle } = await openPty(sandbox, 'plain', { cols: 91, rows: 27 });
    await handle.sendInput('stty size; echo plain-$((2*21))\n');
    await screen.waitFor(/^27 91\r?$/m);
    await screen.waitFor(/^plain-42\r?$/m);
    await handle.resize(101, 37);
    await handle.sendInput('stty size; exit 3\n');
    await screen.waitFor(/^37 101\r?$/m);
    expect(await handle.wait()).toMatchObject({ exitCode: 3 });
  });
});
