import { randomInt } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { Daytona, type Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

// What the MCP tools' long work relies on from Daytona's sessions (docs/long-work.md), on the local provider, which
// also stands in for Daytona Cloud in the tests: each check names the daemon behaviour it mirrors.

/** Processes on this machine (sandboxed ones included) with `word` as an argument. */
async function withArgument(word: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (argv.includes(word)) found.push(Number(entry));
  }
  return found;
}

const unique = (seconds: number) => `${seconds}.${randomInt(100_000, 999_999)}`;

describe("local provider: Daytona's session semantics that long work relies on", () => {
  let t: TestProvider;
  let sandbox: Sandbox;

  beforeAll(async () => {
    t = await startTestProvider();
    sandbox = await t.daytona.create({ name: 'sessions' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a running command has no exitCode (omitempty) in getSessionCommand and getSession, and its logs so far are JSON', async () => {
    await sandbox.process.createSession('s-running');
    const { cmdId } = await sandbox.process.executeSessionCommand('s-running', {
      command: 'echo first; echo oops >&2; read -r line; echo "got $line"',
      runAsync: true,
    });
    await expect.poll(async () => (await sandbox.process.getSessionCommandLogs('s-running', cmdId)).stderr).toBe('oops\n');
    const command = await sandbox.process.getSessionCommand('s-running', cmdId);
    expect(command).not.toHaveProperty('exitCode');
    const session = await sandbox.process.getSession('s-running');
    expect(session.commands?.find((c) => c.id === cmdId)).not.toHaveProperty('exitCode');
    const logs = await sandbox.process.getSessionCommandLogs('s-running', cmdId);
    // Both streams are in `output` (the local provider puts stderr after stdout where the daemon interleaves them as
    // written: the tools join stderr to stdout in the command itself, so they do not depend on it).
    expect(logs).toMatchObject({ stdout: 'first\n', stderr: 'oops\n' });
    expect((logs.output ?? '').split('\n').sort()).toEqual(['', 'first', 'oops']);
    // Without suppressInputEcho the daemon echoes input into the log as stdout (apps/daemon/pkg/session/input.go).
    await sandbox.process.sendSessionCommandInput('s-running', cmdId, 'more');
    await expect.poll(async () => (await sandbox.process.getSessionCommand('s-running', cmdId)).exitCode).toBe(0);
    expect((await sandbox.process.getSessionCommandLogs('s-running', cmdId)).stdout).toBe('first\nmore\ngot more\n');
    await sandbox.process.deleteSession('s-running');
  });

  it('a session and its command outlive the client that started them: another client follows it to its end', async () => {
    const starter = new Daytona({ apiUrl: t.provider.apiUrl, apiKey: t.provider.apiKey });
    const { cmdId } = await (async () => {
      const mine = await starter.get(sandbox.id);
      await mine.process.createSession('s-handed-over');
      return mine.process.executeSessionCommand('s-handed-over', { command: 'echo one; sleep 1; echo two; exit 4', runAsync: true });
    })();
    await starter[Symbol.asyncDispose]();
    const follower = new Daytona({ apiUrl: t.provider.apiUrl, apiKey: t.provider.apiKey });
    try {
      const theirs = await follower.get(sandbox.id);
      await expect.poll(async () => (await theirs.process.getSessionCommand('s-handed-over', cmdId)).exitCode, { timeout: 15_000 }).toBe(4);
      expect((await theirs.process.getSessionCommandLogs('s-handed-over', cmdId)).output).toBe('one\ntwo\n');
      // An ended command's logs stay until the session is deleted.
      expect((await theirs.process.getSessionCommandLogs('s-handed-over', cmdId)).output).toBe('one\ntwo\n');
      await theirs.process.deleteSession('s-handed-over');
    } finally {
      await follower[Symbol.asyncDispose]();
    }
  });

  it('deleting a session kills its whole tree: a child that ignores SIGTERM and one that left with setsid too', async () => {
    const [ignoring, detached, plain] = [unique(301), unique(302), unique(303)];
    await sandbox.process.createSession('s-tree');
    const { cmdId } = await sandbox.process.executeSessionCommand('s-tree', {
      command: `(trap '' TERM; exec sleep ${ignoring}) & setsid sleep ${detached} & sleep ${plain}`,
      runAsync: true,
    });
    for (const word of [ignoring, detached, plain]) {
      await expect.poll(async () => (await withArgument(word)).length, { timeout: 10_000 }).toBe(1);
    }
    await sandbox.process.deleteSession('s-tree');
    // The daemon sends SIGKILL after its grace period (DAYTONA_TERMINATION_GRACE_PERIOD, 5 s by default).
    for (const word of [ignoring, detached, plain]) {
      await expect.poll(async () => (await withArgument(word)).length, { timeout: 10_000 }).toBe(0);
    }
    await expect(sandbox.process.getSessionCommand('s-tree', cmdId)).rejects.toMatchObject({ statusCode: 404 });
    await expect(sandbox.process.getSessionCommandLogs('s-tree', cmdId)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('a restarted sandbox has no sessions: a command started before answers 404', async () => {
    await sandbox.process.createSession('s-before-restart');
    const { cmdId } = await sandbox.process.executeSessionCommand('s-before-restart', { command: `sleep ${unique(304)}`, runAsync: true });
    await sandbox.stop();
    await sandbox.start();
    await expect(sandbox.process.getSessionCommand('s-before-restart', cmdId)).rejects.toMatchObject({ statusCode: 404 });
    expect((await sandbox.process.listSessions()).map((s) => s.sessionId)).not.toContain('s-before-restart');
  });
});
