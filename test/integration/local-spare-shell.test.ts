import type { Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_NAME } from '../../main/local/sandbox-runner/agent/sandbox-agent.ts';
import { daemonShell } from '../../main/local/toolbox/daemon-shell.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { processesIn, type SandboxProcess } from '../helpers/sandbox-processes.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';
import { until } from '../helpers/until.ts';

const SHELL = daemonShell();
const skipReason = bubblewrapSkipReason() ?? (SHELL.endsWith('/bash') ? undefined : `executeCommand's shell here is ${SHELL}, not bash`);
const HOME = '/home/daytona';

// executeCommand's shell is started ahead by the sandbox's agent (agent-program.ts, spare-shell.ts). What a command
// sees must be what a shell started for it shows, and a spare that no longer fits must not be used.
describe('the shell started ahead of executeCommand', skipWhen(skipReason, 'bubblewrap'), () => {
  let t: TestProvider;
  let sandbox: Sandbox;
  let ns: string;

  beforeAll(async () => {
    t = await startTestProvider({ warmPoolSize: 0 });
    sandbox = await t.daytona.create();
    ns = (await sandbox.process.executeCommand('readlink /proc/self/ns/pid')).result.trim();
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  /** The spare: the agent's child that is the shell itself, waiting. */
  const findSpare = (): SandboxProcess | undefined => {
    const inside = processesIn(ns);
    const agents = inside.filter((entry) => entry.args.endsWith(AGENT_NAME)).map((entry) => entry.pid);
    return inside.find((entry) => entry.args === SHELL && agents.includes(entry.ppid));
  };
  const spare = () => until('a spare shell', 15_000, findSpare);

  /** A spare for commands like `true` in `cwd`: the agent starts one once the same setup came twice in a row. */
  const primed = async (cwd?: string): Promise<SandboxProcess> => {
    await sandbox.process.executeCommand('true', cwd);
    await sandbox.process.executeCommand('true', cwd);
    return spare();
  };

  it('runs the command in it, and the command finds the shell a fresh one is', async () => {
    const waiting = await primed();
    // Started long before the command (whole seconds: bash's SECONDS counts from the shell's start).
    await new Promise((resolve) => setTimeout(resolve, 2100));
    // `$_` first: any command before it would change it. Then the shell's open descriptors, and its pid.
    const probe = 'printf "%s|" "$_" "$SECONDS" "$LINENO" "${BASH_ENV-unset}"; fds=(/proc/$$/fd/*); echo "${fds[*]#/proc/$$/fd/}|$$"';
    const ahead = await sandbox.process.executeCommand(probe);
    expect(ahead.exitCode).toBe(0);
    expect(Number(ahead.result.trim().split('|').at(-1))).toBe(waiting.nsPid);
    expect(ahead.result).toMatch(new RegExp(`^${SHELL}\\|0\\|1\\|unset\\|`));
    // A shell started for its command (another variable: no spare fits it) shows the same, but for its pid.
    const fresh = await sandbox.process.executeCommand(probe, undefined, { SPARE_PROBE: 'yes' });
    const withoutPid = (result: string) => result.trim().split('|').slice(0, -1);
    expect(withoutPid(ahead.result)).toEqual(withoutPid(fresh.result));

    // The same environment as a shell started for its command.
    const next = await primed();
    const [pid, ...env] = (await sandbox.process.executeCommand('echo $$; env | sort')).result.split('\n');
    expect(Number(pid)).toBe(next.nsPid);
    const freshEnv = await sandbox.process.executeCommand('env | sort', undefined, { SPARE_PROBE: 'yes' });
    expect(freshEnv.result.split('\n').filter((entry) => entry !== 'SPARE_PROBE=yes')).toEqual(env);
  });

  it('is not seen by the command that runs after it was started', async () => {
    await primed();
    const listed = await sandbox.process.executeCommand('ps -e -o args=');
    expect(listed.result.split('\n').filter((entry) => entry.trim() === SHELL)).toHaveLength(1);
  });

  it('is not used when its folder was removed and made again under the same name', async () => {
    await sandbox.fs.createFolder(`${HOME}/work`, '755');
    await primed(`${HOME}/work`);
    await sandbox.fs.deleteFile(`${HOME}/work`, true);
    await sandbox.fs.createFolder(`${HOME}/work`, '755');
    await sandbox.fs.uploadFile(Buffer.from('new\n'), `${HOME}/work/new.txt`);
    const listed = await sandbox.process.executeCommand('ls', `${HOME}/work`);
    expect(listed).toMatchObject({ exitCode: 0, result: 'new.txt\n' });
  });

  it('a spare killed meanwhile is not used, and the next command still runs', async () => {
    process.kill((await primed()).pid, 'SIGKILL');
    expect(await sandbox.process.executeCommand('echo after')).toMatchObject({ exitCode: 0, result: 'after\n' });
  });

  it('is not started for commands that each bring their own variables', async () => {
    for (const round of ['1', '2', '3']) await sandbox.process.executeCommand('true', undefined, { ROUND: round });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(findSpare()).toBeUndefined();
  });

  it('ends when its agent dies', async () => {
    const waiting = await primed();
    process.kill(waiting.ppid, 'SIGKILL');
    await until('the spare to end', 15_000, () => !processesIn(ns).some((entry) => entry.pid === waiting.pid));
    expect(await sandbox.process.executeCommand('echo again')).toMatchObject({ exitCode: 0, result: 'again\n' });
  });
});
