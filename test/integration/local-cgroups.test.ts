import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupCgroups } from '../../main/local/sandbox-runner/cgroups/index.ts';
import { procStat } from '../../main/local/sandbox-runner/processes.ts';
import { cliEnv, startCliProvider } from '../helpers/local-cli.ts';
import { startTestProvider, startTestProviderWithEnv, type TestProvider } from '../helpers/local-provider.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const WAIT = { timeout: 20_000, interval: 25 };
/** Small, so the fork bomb ends quickly; enough for the agent (Node: a dozen threads) and a few commands. */
const PIDS_LIMIT = 96;
/** A loop that forks a short-lived child every few ms and counts the children that ran, in ~/forks. */
const FORKING_LOOP = `nohup sh -c 'while true; do sh -c "n=\\$(cat $HOME/forks 2>/dev/null || echo 0); echo \\$((n+1)) > $HOME/forks.tmp; mv $HOME/forks.tmp $HOME/forks"; sleep 0.005; done' > /dev/null 2>&1 &`;

/** Why the provider cannot give sandboxes cgroups here (probed with a throwaway base cgroup), or undefined. */
function cgroupSkipReason(): string | undefined {
  const bwrap = bubblewrapSkipReason();
  if (bwrap) return bwrap;
  const setup = setupCgroups(`probe-${process.pid}`);
  if ('reason' in setup) return setup.reason;
  void setup.host.close();
  return undefined;
}
const skipReason = cgroupSkipReason();

const forks = (t: TestProvider, sandbox: Sandbox) => {
  try {
    return Number(readFileSync(join(t.provider.service.dirsOf(sandbox.id).home, 'forks'), 'utf8'));
  } catch {
    return 0;
  }
};
const cgroupOf = (t: TestProvider, sandbox: Sandbox) => {
  const cgroup = t.provider.service.cgroupOf(sandbox.id);
  if (!cgroup) throw new Error(`sandbox ${sandbox.id} has no cgroup`);
  return cgroup;
};
/** The directories (one per hierarchy) of a cgroup, from its cgroup.procs files. */
const dirsOf = (procsFiles: readonly string[]) => procsFiles.map((file) => dirname(file));

describe('local provider: every sandbox in a cgroup of its own', skipWhen(skipReason), () => {
  let t: TestProvider;
  beforeAll(async () => {
    t = await startTestProviderWithEnv({ DAYTONA_TRAY_PIDS_LIMIT: String(PIDS_LIMIT) }, { minuteMs: 60_000 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('pause freezes every process at once, forked ones included, without a stop state; start resumes them', async () => {
    expect(t.provider.limits.enforced).toBe(true);
    await pauseFreezesEverything(t);
  });

  it('a process allocating past the memory limit (1 GiB) is killed by the OOM killer; the sandbox goes on', async () => {
    const sandbox = await t.daytona.create({ name: 'cg-memory', autoStopInterval: 0 });
    expect(sandbox.memory).toBe(1);
    const cgroup = cgroupOf(t, sandbox);
    expect(Number(cgroup.read('memory.limit_in_bytes') ?? cgroup.read('memory.max'))).toBe(1024 ** 3);
    // 2 GiB written for real (not zero pages the kernel never backs), 256 MiB at a time.
    const hog = await sandbox.process.executeCommand(
      `${'/opt/daytona-tray/bin/node'} -e "const a = []; for (let i = 0; i < 8; i++) a.push(Buffer.alloc(256 * 1024 ** 2, 1)); console.log('allocated')"`,
    );
    expect(hog.result).not.toMatch(/^allocated$/m);
    expect(hog.exitCode).toBe(137); // 128 + SIGKILL, as a container reports an OOM-killed command
    const after = await sandbox.process.executeCommand('echo still here');
    expect(after.result.trim()).toBe('still here');
    await sandbox.delete();
  });

  it('resize on a started sandbox applies cpu and memory to its cgroup at once', async () => {
    const sandbox = await t.daytona.create({ name: 'cg-resize', autoStopInterval: 0 });
    const cgroup = cgroupOf(t, sandbox);
    const quota = () => cgroup.read('cpu.cfs_quota_us') ?? cgroup.read('cpu.max')?.split(' ')[0];
    const memory = () => Number(cgroup.read('memory.limit_in_bytes') ?? cgroup.read('memory.max'));
    expect(quota()).toBe('100000');
    await sandbox.resize({ cpu: 2, memory: 2 });
    expect(quota()).toBe('200000');
    expect(memory()).toBe(2 * 1024 ** 3);
    // A stopped sandbox's resize is applied when it starts again.
    await sandbox.stop();
    await sandbox.resize({ cpu: 1, memory: 1 });
    await sandbox.start();
    expect(t.provider.service.cgroupOf(sandbox.id)!.read('cpu.cfs_quota_us') ?? '').toMatch(/^(100000)?$/);
    expect(Number(t.provider.service.cgroupOf(sandbox.id)!.read('memory.limit_in_bytes') ?? 1024 ** 3)).toBe(1024 ** 3);
    await sandbox.delete();
  });

  it('the pids limit stops a fork bomb inside the sandbox; the host and other sandboxes go on', async () => {
    const sandbox = await t.daytona.create({ name: 'cg-pids', autoStopInterval: 0 });
    const cgroup = cgroupOf(t, sandbox);
    expect(Number(cgroup.read('pids.max'))).toBe(PIDS_LIMIT);
    // Bounded (400 forks at most), and sh gives up at its first failed fork.
    await sandbox.process.executeCommand(
      `sh -c 'i=0; while [ $i -lt 400 ]; do sleep 600 > /dev/null 2>&1 & i=$((i+1)); echo $i > $HOME/forks; done'`,
    );
    expect(forks(t, sandbox)).toBeGreaterThan(10);
    expect(forks(t, sandbox)).toBeLessThan(PIDS_LIMIT);
    expect(Number(cgroup.read('pids.current'))).toBeLessThanOrEqual(PIDS_LIMIT);
    const other = await t.daytona.create({ name: 'cg-pids-other', autoStopInterval: 0 });
    expect((await other.process.executeCommand('echo fine')).result.trim()).toBe('fine');
    const dirs = dirsOf(cgroup.procsFiles);
    await sandbox.delete();
    await expect.poll(() => dirs.filter((dir) => existsSync(dir)), WAIT).toEqual([]);
    await other.delete();
  });

  it('stop and delete remove the sandbox cgroup; closing the provider removes its base cgroup', async () => {
    const sandbox = await t.daytona.create({ name: 'cg-cleanup', autoStopInterval: 0 });
    const dirs = dirsOf(cgroupOf(t, sandbox).procsFiles);
    expect(dirs.every((dir) => existsSync(dir))).toBe(true);
    await sandbox.stop();
    expect(dirs.filter((dir) => existsSync(dir))).toEqual([]);
    await sandbox.start();
    const again = dirsOf(cgroupOf(t, sandbox).procsFiles);
    await sandbox.delete();
    await expect.poll(() => again.filter((dir) => existsSync(dir)), WAIT).toEqual([]);
    const bases = [...new Set(dirs.map((dir) => dirname(dir)))];
    const own = await startTestProvider();
    const sandboxOfOwn = await own.daytona.create({ name: 'cg-base', autoStopInterval: 0 });
    const ownBases = [...new Set(dirsOf(own.provider.service.cgroupOf(sandboxOfOwn.id)!.procsFiles).map((dir) => dirname(dir)))];
    await own.stop();
    expect(ownBases.filter((dir) => existsSync(dir))).toEqual([]);
    expect(bases.every((dir) => existsSync(dir))).toBe(true); // the other provider's is its own
  });
});

/** Why the provider cannot use a cgroup v2 hierarchy here (DAYTONA_TRAY_CGROUP_VERSION=2), or undefined. */
function v2SkipReason(): string | undefined {
  if (skipReason) return skipReason;
  process.env.DAYTONA_TRAY_CGROUP_VERSION = '2';
  try {
    const setup = setupCgroups(`probe-v2-${process.pid}`);
    if ('reason' in setup) return setup.reason;
    void setup.host.close();
    return undefined;
  } finally {
    delete process.env.DAYTONA_TRAY_CGROUP_VERSION;
  }
}

describe('local provider: the cgroup v2 freezer', skipWhen(v2SkipReason()), () => {
  let t: TestProvider;
  beforeAll(async () => {
    t = await startTestProviderWithEnv({ DAYTONA_TRAY_CGROUP_VERSION: '2' }, { minuteMs: 60_000 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('pauses through cgroup.freeze, and the cgroup goes with the sandbox and the provider', async () => {
    expect(t.provider.limits).toMatchObject({ enforced: true, how: expect.stringMatching(/^cgroup v2: pause by the freezer/) });
    const { sandbox, dirs } = await pauseFreezesEverything(t, { keep: true });
    await sandbox.delete();
    await expect.poll(() => dirs.filter((dir) => existsSync(dir)), WAIT).toEqual([]);
    const bases = [...new Set(dirs.map((dir) => dirname(dir)))];
    await t.stop();
    expect(bases.filter((dir) => existsSync(dir))).toEqual([]);
  });
});

describe('local provider: cgroups left by a crashed provider', skipWhen(skipReason), () => {
  it('are removed, with whatever still ran in them, when a provider starts on the same data dir', async () => {
    const home = await tempDir('daytona-tray-cg-crash-');
    const dataDir = join(home.path, 'data');
    const first = await startCliProvider(['--data-dir', dataDir], cliEnv(home.path));
    const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      await first.daytona.create({ name: 'cg-crash', autoStopInterval: 0 });
      const exit = await first.stop('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      // The base cgroup of that data dir (the CLI runs in this process's cgroups), and the sandbox's under it.
      const tag = `daytona-tray-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`;
      const bases = cgroupBases(tag);
      const leftovers = bases.flatMap((base) =>
        readdirSync(base)
          .filter((name) => name.startsWith('sandbox-'))
          .map((name) => join(base, name)),
      );
      expect(leftovers.length).toBeGreaterThan(0);
      // Something still running in one (as a process that escaped the dead provider would).
      writeFileSync(join(leftovers[0]!, 'cgroup.procs'), String(sleeper.pid));
      const exited = new Promise((resolve) => sleeper.once('exit', (_code, signal) => resolve(signal)));

      const second = await startTestProvider({ dataDir });
      try {
        expect(leftovers.filter((dir) => existsSync(dir))).toEqual([]);
        expect(await exited).toBe('SIGKILL');
      } finally {
        await second.stop();
      }
      expect(bases.filter((dir) => existsSync(dir))).toEqual([]);
    } finally {
      sleeper.kill('SIGKILL');
      await home.cleanup();
    }
  });
});

/**
 * A sandbox running a forking loop is paused: its cgroup reports frozen, no process is added, none runs or shows
 * SIGSTOP's stopped state, the count does not move; start resumes the count. Deletes the sandbox unless `keep`.
 */
async function pauseFreezesEverything(t: TestProvider, { keep = false } = {}) {
  const sandbox = await t.daytona.create({ name: `cg-freeze-${keep ? 'kept' : 'gone'}`, autoStopInterval: 0 });
  await sandbox.process.executeCommand(FORKING_LOOP);
  await expect.poll(() => forks(t, sandbox), WAIT).toBeGreaterThan(5);
  const cgroup = cgroupOf(t, sandbox);

  await sandbox.pause();
  const frozen = cgroup.read('freezer.state') ?? (/^frozen 1$/m.test(cgroup.read('cgroup.events') ?? '') ? 'FROZEN' : 'not frozen');
  expect(frozen).toBe('FROZEN');
  const members = cgroup.pids();
  const frozenAt = forks(t, sandbox);
  await new Promise((resolve) => setTimeout(resolve, 400));
  // Nothing ran: no child was forked meanwhile, and the count did not move.
  expect(cgroup.pids().sort()).toEqual(members.sort());
  expect(forks(t, sandbox)).toBe(frozenAt);
  // None is running or stopped by a signal (SIGSTOP's 'T', which the processes could see): the freezer holds them.
  const states = members.map((pid) => procStat(pid)?.state).filter((state) => state !== undefined);
  expect(states.length).toBeGreaterThan(3);
  expect(states.filter((state) => state === 'R' || state === 'T' || state === 't')).toEqual([]);

  await sandbox.start();
  await expect.poll(() => forks(t, sandbox), WAIT).toBeGreaterThan(frozenAt);
  const dirs = dirsOf(cgroup.procsFiles);
  if (!keep) await sandbox.delete();
  return { sandbox, dirs };
}

/** Every directory named `tag` under the cgroup hierarchies, below (or, under v2, beside) this process's own cgroups. */
function cgroupBases(tag: string): string[] {
  const found: string[] = [];
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const [id, controllers = '', path = '/'] = line.split(':');
    const names = id === '0' ? ['unified', ''] : controllers.split(',');
    // Under cgroup v2 the base may sit beside the provider's own cgroup (a delegated parent), not under it.
    const places = id === '0' ? [path, dirname(path)] : [path];
    for (const name of names) {
      for (const place of places) {
        const dir = join('/sys/fs/cgroup', name, place, tag);
        if (existsSync(dir) && !found.includes(dir)) found.push(dir);
      }
    }
  }
  return found;
}
