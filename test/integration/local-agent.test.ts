import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxRuntimes } from '../../main/local/lifecycle/sandbox-runtimes.ts';
import { newSandboxRecord } from '../../main/local/lifecycle/new-sandbox.ts';
import { agentOf } from '../../main/local/sandbox-runner/agent/launch-agent.ts';
import { createSandboxRunner, type RunningSandbox, type SandboxRunner } from '../../main/local/sandbox-runner/index.ts';
import { AGENT_NAME } from '../../main/local/sandbox-runner/agent/sandbox-agent.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';
import { processesIn } from '../helpers/sandbox-processes.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const noBwrap = bubblewrapSkipReason();

/** The agents in `ns`: a process the agent is forking (a command, a spare shell) has its command line until it execs. */
const agentsIn = (ns: string) => {
  const named = processesIn(ns).filter((entry) => entry.args.endsWith(AGENT_NAME));
  return named.filter((entry) => !named.some((parent) => parent.pid === entry.ppid));
};

async function until<T>(probe: () => T | undefined | false, what: string, limitMs = 15_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A `sleep` whose argument no other process has. */
const uniqueSleep = () => `sleep 300.${randomInt(100_000, 999_999)}`;

describe('the resident agent behind every sandbox command', skipWhen(noBwrap, 'bubblewrap'), () => {
  let t: TestProvider;
  let sandbox: Sandbox;
  let ns: string;
  const logs: string[] = [];

  beforeAll(async () => {
    t = await startTestProvider({ warmPoolSize: 0, log: (line) => logs.push(line) });
    sandbox = await t.daytona.create();
    ns = (await sandbox.process.executeCommand('readlink /proc/self/ns/pid')).result.trim();
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('runs commands as children of one agent inside the sandbox, as the sandbox user', async () => {
    const agents = agentsIn(ns);
    expect(agents).toHaveLength(1);
    // The command's shell is the agent's child (with an nsenter per command, its parent would be outside: 0).
    const reply = await sandbox.process.executeCommand('echo "$(id -u) $(ps -o args= -p $PPID)"');
    expect(reply.exitCode).toBe(0);
    expect(reply.result.trim()).toMatch(new RegExp(`^1000 .*${AGENT_NAME}$`));
    // Stdin, exit codes and stderr pass through it.
    const failed = await sandbox.process.executeCommand('cat; echo oops >&2; exit 3');
    expect(failed.exitCode).toBe(3);
    expect(failed.result).toContain('oops');
  });

  it('reports a command running when the agent is killed as ended, starts a new agent, and ends what was left', async () => {
    const sleep = uniqueSleep();
    const running = sandbox.process.executeCommand(`${sleep}; echo finished`);
    const sleeper = await until(() => processesIn(ns).find((entry) => entry.args === sleep), 'the sleep to start');
    const [agent] = agentsIn(ns);
    process.kill(agent!.pid, 'SIGKILL');
    const reply = await running;
    expect(reply.exitCode).toBe(137);
    expect(reply.result).toContain("the sandbox's agent stopped while this command ran");
    expect(reply.result).not.toContain('finished');
    // Whichever the provider notices first: the socket closing or the process exiting.
    await until(
      () => logs.some((line) => line.includes(sandbox.id) && /its agent stopped \(.+\); starting it again/.test(line)),
      'the restart log line',
    );
    // The next command works, under one new agent; the orphaned sleep is gone.
    expect((await sandbox.process.executeCommand('echo again')).result.trim()).toBe('again');
    const agents = agentsIn(ns);
    expect(agents).toHaveLength(1);
    expect(agents[0]!.pid).not.toBe(agent!.pid);
    await until(() => !processesIn(ns).some((entry) => entry.pid === sleeper.pid), 'the orphaned sleep to be ended');
  });

  it('starts a new agent when the idle one is killed, and the next command runs under it', async () => {
    const [agent] = agentsIn(ns);
    const before = logs.length;
    process.kill(agent!.pid, 'SIGKILL');
    await until(() => logs.slice(before).some((line) => line.includes('its agent stopped')), 'the restart log line');
    expect((await sandbox.process.executeCommand('echo idle')).result.trim()).toBe('idle');
    expect(agentsIn(ns).map((entry) => entry.pid)).not.toContain(agent!.pid);
    expect(agentsIn(ns)).toHaveLength(1);
  });

  it('runs a command sent right after the agent was killed on the new agent, once', async () => {
    const [agent] = agentsIn(ns);
    const before = logs.length;
    process.kill(agent!.pid, 'SIGKILL');
    const reply = await sandbox.process.executeCommand('echo ran >> once.txt; echo done');
    expect(reply).toMatchObject({ exitCode: 0, result: 'done\n' });
    expect((await sandbox.process.executeCommand('cat once.txt')).result).toBe('ran\n');
    expect(logs.slice(before)).toContainEqual(expect.stringMatching(/its agent stopped \(.+\); starting it again/));
    expect(agentsIn(ns)).toHaveLength(1);
  });

  it('ends with the sandbox', async () => {
    const other = await t.daytona.create();
    const otherNs = (await other.process.executeCommand('readlink /proc/self/ns/pid')).result.trim();
    expect(agentsIn(otherNs)).toHaveLength(1);
    await other.stop();
    await until(() => agentsIn(otherNs).length === 0, 'the agent to end with its sandbox');
    expect(logs.some((line) => line.includes(other.id) && line.includes('agent'))).toBe(false);
    await other.delete();
  });
});

describe('the agent connection, seen from the runner', skipWhen(noBwrap, 'bubblewrap'), () => {
  let runner: SandboxRunner;
  let sandbox: RunningSandbox;
  let dir: { path: string; cleanup: () => Promise<void> };
  const logs: string[] = [];

  beforeAll(async () => {
    dir = await tempDir('daytona-tray-agent-');
    runner = await createSandboxRunner(join(dir.path, 'etc'));
    const dirs = { home: join(dir.path, 'home'), tmp: join(dir.path, 'tmp') };
    await Promise.all([mkdir(dirs.home), mkdir(dirs.tmp)]);
    sandbox = await runner.start({ dirs, hostname: 'agent-test', network: { blockAll: false }, log: (line) => logs.push(line) });
  }, 60_000);
  afterAll(async () => {
    await sandbox?.stop(0);
    await runner?.close?.(); // its base cgroup
    await dir?.cleanup();
  });

  const run = (child: ChildProcess) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal, out }));
    });

  it('ends the agent whose socket closed, reports its command ended, and serves the next command from a new agent', async () => {
    const agent = agentOf(sandbox)!;
    const sleep = uniqueSleep();
    const child = sandbox.spawn(['/bin/sh', '-c', sleep], { cwd: '/home/daytona', env: {} });
    const result = run(child);
    const ns = readlinkSync(`/proc/${await until(() => processesMatching(sleep), 'the command to start')}/ns/pid`);
    // The provider knows the command's pid once the agent's word of it arrived (what it ends after a loss).
    await until(() => child.pid !== undefined, 'the agent to report the command');
    const [old] = agentsIn(ns);
    agent.dropConnection();
    const ended = await result;
    expect(ended.signal).toBe('SIGKILL');
    expect(ended.out).toContain("the sandbox's agent stopped");
    // Which the provider sees first, the socket closing or the agent (seeing it close) exiting, is a race: either way it
    // starts a new one and says so.
    expect(logs).toContainEqual(expect.stringMatching(/its agent stopped \((its connection closed|it exited with 0)\); starting it again/));
    await until(() => !agentsIn(ns).some((entry) => entry.pid === old!.pid), 'the old agent to be ended');
    const next = await run(sandbox.spawn(['/bin/sh', '-c', 'echo next'], { cwd: '/home/daytona', env: {} }));
    expect(next).toMatchObject({ code: 0, out: 'next\n' });
    expect(agentsIn(ns)).toHaveLength(1);
    await until(() => processesMatching(sleep) === undefined, 'the orphaned command to be ended');
  });

  it('sends a command the killed agent never accepted to the new agent, and it runs once', async () => {
    const [old] = agentsIn(await namespaceOf(sandbox));
    // In the same turn of the provider's loop as the kill: it cannot know yet that the agent is gone, so the
    // command goes to the dead agent's socket, which never accepted it.
    process.kill(old!.pid, 'SIGKILL');
    const result = await run(sandbox.spawn(['/bin/sh', '-c', 'echo ran >> /tmp/once.txt; echo done'], { cwd: '/home/daytona', env: {} }));
    expect(result).toMatchObject({ code: 0, out: 'done\n' });
    expect(readFileSync(join(dir.path, 'tmp', 'once.txt'), 'utf8')).toBe('ran\n');
    expect(logs).toContainEqual(expect.stringMatching(/its agent stopped \(.+\); starting it again/));
  });

  it("kills a command's whole tree through the agent", async () => {
    const sleep = uniqueSleep();
    const child = sandbox.spawn(['/bin/sh', '-c', `${sleep} & wait`], { cwd: '/home/daytona', env: {} });
    const result = run(child);
    await until(() => processesMatching(sleep), 'the background sleep to start');
    runner.kill(child);
    expect((await result).signal).toBe('SIGKILL');
    await until(() => processesMatching(sleep) === undefined, 'the background sleep to be killed');
  });
});

describe('a sandbox stopped while a command waits for its agent', skipWhen(noBwrap, 'bubblewrap'), () => {
  it('the stop ends, and the command fails as never run', async () => {
    const dir = await tempDir('daytona-tray-agent-wait-');
    const runner = await createSandboxRunner(join(dir.path, 'etc'));
    const runtimes = new SandboxRuntimes({
      runner,
      dirsOf: (id) => ({ home: join(dir.path, id, 'home'), tmp: join(dir.path, id, 'tmp') }),
      log: () => {},
      closing: () => false,
    });
    const record = newSandboxRecord({}, runner, new Date().toISOString());
    try {
      const sandbox = await runtimes.boot(record, 'agent-wait');
      // The agent holds commands back, as it does while a pooled sandbox takes its new hostname; the stop comes first.
      agentOf(sandbox)!.holdUntil(new Promise(() => {}));
      const child = runtimes.spawn(record.id, sandbox, ['/bin/sh', '-c', 'echo never'], { cwd: '/home/daytona', env: {} });
      const failed = new Promise<Error>((resolve) => child.once('error', resolve));
      // It fails while the sandbox stops ('error', never 'exit'); a stop that missed that waited forever, and with it the
      // provider's shutdown (a CI run hit it: a session's shell still waiting for a pooled sandbox's rename).
      await runtimes.stop(record.id, true);
      expect((await failed).message).toBe('the sandbox is not running');
      expect(child.pid).toBeUndefined();
      expect(runtimes.count(record.id)).toBe(0);
    } finally {
      await runtimes.stop(record.id, true);
      await runner.close?.();
      await dir.cleanup();
    }
  }, 30_000);
});

/** The pid namespace of a started sandbox, as `readlink /proc/self/ns/pid` says inside. */
async function namespaceOf(sandbox: RunningSandbox): Promise<string> {
  const child = sandbox.spawn(['readlink', '/proc/self/ns/pid'], { cwd: '/', env: {} });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.once('close', resolve));
  return out.trim();
}

/** The host pid of the process whose command line is exactly `args`, if any. */
function processesMatching(args: string): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() === args) return Number(name);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}
