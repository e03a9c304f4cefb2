import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_NAME, AGENT_SOURCE, SandboxAgent } from '../../main/local/sandbox-runner/agent/sandbox-agent.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

/**
 * The provider's side of the agent on each way an agent can fail, with real processes on a real socket pair: the
 * real agent program (run on the host here: what is tested is the provider's handling, not the sandbox) and small
 * scripted agents that fail at one exact point of the protocol, which a real agent cannot be made to do on cue.
 * The sandbox-level crash tests (SIGKILL of a real agent inside bubblewrap) are in local-agent.test.ts.
 */

/** A process started the way the runner starts an agent: program on stdin, fd 3 a socket pair to the provider. */
function launchNode(source: string): ChildProcess {
  const child = spawn(process.execPath, ['-', AGENT_NAME], { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
  child.stdin?.end(source);
  return child;
}

/** A scripted agent: says ready, then reads frames and, on the first SPAWN, does `onSpawn` (frame numbers as agent-frames.ts). */
const scripted = (onSpawn: string) => `
  const { Socket } = require('node:net');
  const channel = new Socket({ fd: 3, readable: true, writable: true });
  const frame = (type, id) => { const b = Buffer.alloc(9); b.writeUInt32BE(0, 0); b.writeUInt8(type, 4); b.writeUInt32BE(id, 5); return b; };
  let pending = Buffer.alloc(0);
  channel.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 9) {
      const length = pending.readUInt32BE(0);
      if (pending.length < 9 + length) return;
      const type = pending.readUInt8(4), id = pending.readUInt32BE(5);
      pending = pending.subarray(9 + length);
      if (type === 1) { ${onSpawn} }
    }
  });
  const ready = Buffer.from(JSON.stringify({ pid: process.pid }));
  const header = frame(10, 0);
  header.writeUInt32BE(ready.length, 0);
  channel.write(Buffer.concat([header, ready]));
`;

function agentWith(launches: (() => ChildProcess)[]) {
  const logs: string[] = [];
  const started: ChildProcess[] = [];
  let next = 0;
  const agent = new SandboxAgent({
    launch: () => {
      const child = (launches[Math.min(next++, launches.length - 1)] ?? (() => launchNode(AGENT_SOURCE)))();
      started.push(child);
      return child;
    },
    running: () => true,
    killInside: (pid) => process.kill(pid, 'SIGKILL'),
    log: (line) => logs.push(line),
  });
  agents.push({ agent, started });
  return { agent, logs, started };
}

const agents: { agent: SandboxAgent; started: ChildProcess[] }[] = [];
afterEach(() => {
  for (const { agent, started } of agents.splice(0)) {
    agent.close();
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

function run(child: ChildProcess, stdin?: string) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, out }));
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

const command = (argv: string[], stdin = false) => ({
  argv,
  cwd: '/',
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] as ['pipe' | 'ignore', 'pipe', 'pipe'],
});

describe('the agent failing, seen from the provider', () => {
  it('tries a launch that dies before it is ready again, and the waiting command runs on the agent that comes up', async () => {
    const { agent, logs } = agentWith([() => launchNode('process.exit(3)'), () => launchNode(AGENT_SOURCE)]);
    const result = await run(agent.spawn(command(['/bin/sh', '-c', 'echo up'])));
    expect(result).toMatchObject({ code: 0, out: 'up\n' });
    // Whichever the provider sees first: the exit or the socket closing.
    expect(logs).toContainEqual(
      expect.stringMatching(/its agent could not start \((it exited with 3|its connection closed).*\); trying again/),
    );
  });

  it('fails the waiting commands, saying why, when three launches in a row die before they are ready', async () => {
    const { agent, logs } = agentWith([() => launchNode('process.exit(3)')]);
    const child = agent.spawn(command(['/bin/sh', '-c', 'echo never']));
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    expect(error.message).toMatch(/the sandbox's agent could not start: (it exited with 3|its connection closed)/);
    await expect(agent.whenReady()).rejects.toThrow(/could not start/);
    expect(logs.filter((line) => line.includes('trying again'))).toHaveLength(2 + 2); // two per round of three
    expect(logs).toContainEqual(expect.stringMatching(/its agent could not start \(.+\); the waiting commands fail/));
  });

  it('drops an agent that breaks the protocol, starts another, and serves the command there', async () => {
    const { agent, logs, started } = agentWith([
      () =>
        launchNode(`require('node:fs').writeSync(3, Buffer.from([0x7f, 0xff, 0xff, 0xff, 10, 0, 0, 0, 0])); setInterval(() => {}, 1000);`),
      () => launchNode(AGENT_SOURCE),
    ]);
    const result = await run(agent.spawn(command(['/bin/sh', '-c', 'echo fine'])));
    expect(result).toMatchObject({ code: 0, out: 'fine\n' });
    expect(logs).toContainEqual(expect.stringMatching(/its agent broke the protocol \(.*frame.*\); starting it again/));
    // The broken one is not left running beside the new one.
    await until('the broken agent to exit', 10_000, () => started[0]!.exitCode !== null || started[0]!.signalCode !== null);
  });

  it('sends a command the dead agent never accepted to the next agent, which runs it once', async () => {
    const dir = await tempDir('daytona-tray-agent-crash-');
    try {
      const file = join(dir.path, 'ran.txt');
      const { agent, logs } = agentWith([() => launchNode(scripted('process.exit(0);')), () => launchNode(AGENT_SOURCE)]);
      const result = await run(agent.spawn(command(['/bin/sh', '-c', `echo ran >> ${file}; echo done`])));
      expect(result).toMatchObject({ code: 0, out: 'done\n' });
      expect(readFileSync(file, 'utf8')).toBe('ran\n');
      expect(logs).toContainEqual(expect.stringMatching(/its agent stopped \(.+\); starting it again/));
    } finally {
      await dir.cleanup();
    }
  });

  it('reports a command the dead agent had accepted as ended, and does not run it again', async () => {
    const dir = await tempDir('daytona-tray-agent-crash-');
    try {
      const file = join(dir.path, 'ran.txt');
      // Accepts (ACCEPTED, 16) and dies before saying it started: the command may have run, so it is not sent again.
      const { agent } = agentWith([
        () => launchNode(scripted('channel.write(frame(16, id), () => process.exit(0));')),
        () => launchNode(AGENT_SOURCE),
      ]);
      const result = await run(agent.spawn(command(['/bin/sh', '-c', `echo ran >> ${file}`])));
      expect(result.signal).toBe('SIGKILL');
      expect(result.out).toContain("the sandbox's agent stopped while this command ran");
      // The next command goes to the new agent; the first one never ran anywhere.
      expect(await run(agent.spawn(command(['/bin/sh', '-c', 'echo next'])))).toMatchObject({ code: 0, out: 'next\n' });
      expect(() => readFileSync(file, 'utf8')).toThrow();
    } finally {
      await dir.cleanup();
    }
  });
});
