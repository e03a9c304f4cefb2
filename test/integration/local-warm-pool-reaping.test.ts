import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processesNaming } from '../helpers/host-state.ts';
import { cliEnv, startCliProvider, type CliProvider } from '../helpers/local-cli.ts';
import { bubblewrapSkipReason, skipNow, skipWhen } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

const noBwrap = bubblewrapSkipReason();

/** The provider's warm pool as its API reports it. */
async function warmPool(provider: CliProvider): Promise<{ pool: number; currentSize: number } | undefined> {
  const reply = await fetch(`${provider.apiUrl}/warm-pools`, {
    headers: { authorization: `Bearer ${provider.apiKey}` },
    signal: AbortSignal.timeout(10_000),
  });
  return ((await reply.json()) as { pool: number; currentSize: number }[])[0];
}

/**
 * The freezer of the cgroup that holds every sandbox cgroup of the provider (the parent of `pid`'s), or undefined
 * when its sandboxes get no cgroup here. A process that joins a sandbox cgroup below a frozen one stops at once.
 */
function providerFreezer(pid: number): { freeze(): void; thaw(): void; holds(pid: number): boolean } | undefined {
  for (const line of cgroupLines(pid)) {
    const { id, controllers, path } = line;
    if (path === '/') continue;
    const base = dirname(path);
    /** `other` has joined a cgroup below the base on this hierarchy (and is frozen if the base is). */
    const holds = (other: number) =>
      cgroupLines(other).some((entry) => entry.id === id && entry.path.startsWith(`${base}/`) && entry.path !== path);
    if (controllers.includes('freezer')) {
      const file = join('/sys/fs/cgroup/freezer', base, 'freezer.state');
      return { freeze: () => writeFileSync(file, 'FROZEN'), thaw: () => writeFileSync(file, 'THAWED'), holds };
    }
    if (id === '0') {
      const file = ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'].map((mount) => join(mount, base, 'cgroup.freeze')).find(existsSync);
      if (file) return { freeze: () => writeFileSync(file, '1'), thaw: () => writeFileSync(file, '0'), holds };
    }
  }
  return undefined;
}

/** `pid`'s cgroups, one per hierarchy (none once it is gone). */
function cgroupLines(pid: number): { id: string; controllers: string[]; path: string }[] {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [id = '', controllers = '', path = '/'] = line.split(':');
        return { id, controllers: controllers.split(','), path };
      });
  } catch {
    return [];
  }
}

describe('a provider that dies while its warm pool starts a sandbox', skipWhen(noBwrap, 'bubblewrap'), () => {
  it('leaves no process of that sandbox behind (neither bwrap nor its pid 1)', async (ctx) => {
    const home = await tempDir('daytona-tray-pool-reaping-');
    const dataDir = join(home.path, 'data');
    let freezer: ReturnType<typeof providerFreezer>;
    try {
      const provider = await startCliProvider(['--data-dir', dataDir], cliEnv(home.path));
      await until('the pool (2 by default) to fill', 60_000, async () => (await warmPool(provider))?.currentSize === 2);
      const pooled = processesNaming(dataDir); // the provider too: its command line names the data dir
      freezer = providerFreezer(pooled.find((pid) => pid !== provider.child.pid)!);
      if (!freezer) return skipNow(ctx, 'sandboxes get no cgroup here: nothing can hold a starting one at a chosen point');
      // The sandbox the pool starts next stops as soon as it joins its cgroup, before bwrap has run.
      freezer.freeze();
      const resized = await fetch(`${provider.apiUrl}/warm-pools/local`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${provider.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ pool: 3 }),
        signal: AbortSignal.timeout(10_000),
      });
      expect(resized.status).toBe(200);
      const held = freezer;
      await until('the third pooled sandbox to stop in its frozen cgroup', 30_000, () =>
        processesNaming(dataDir).some((pid) => !pooled.includes(pid) && held.holds(pid)),
      );

      // The provider dies (as under SIGKILL or a crash) with that start half done, then the start goes on without it.
      expect(await provider.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      freezer.thaw();
      await until('every process of the dead provider to end', 20_000, () => processesNaming(dataDir).length === 0);
    } finally {
      freezer?.thaw();
      for (const pid of processesNaming(dataDir)) process.kill(pid, 'SIGKILL'); // a failed run leaves nothing running
      await home.cleanup();
    }
  }, 120_000);
});
