import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  childCgroups,
  CPU_PERIOD_US,
  GiB,
  killAll,
  newName,
  pidsIn,
  quotaOf,
  readFile,
  removeDir,
  settle,
  writeFile,
} from './cgroup-files.ts';
import { describe } from './describe.ts';
import type { CgroupHost, SandboxCgroup, SandboxLimits } from './types.ts';

/** The cgroup v1 controllers the provider uses, each its own hierarchy (cpu may be co-mounted with cpuacct). */
export const V1_CONTROLLERS = ['freezer', 'cpu', 'memory', 'pids'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

/**
 * cgroup v1: one base directory per controller (`<hierarchy>/<the provider's own cgroup>/daytona-tray-<tag>`),
 * each sandbox a directory under every base. Under the provider's own cgroup, so whatever limits the provider
 * runs under bound its sandboxes too.
 */
export function cgroupV1Host(bases: Map<V1Controller, string>, pidsMax: number): CgroupHost {
  const controllers = [...bases.keys()];
  const host: CgroupHost = {
    version: 1,
    description: describe('cgroup v1', controllers, V1_CONTROLLERS),
    create() {
      const name = newName();
      const dirs = new Map([...bases].map(([controller, base]) => [controller, join(base, name)]));
      for (const dir of dirs.values()) mkdirSync(dir);
      return sandboxCgroupV1(name, dirs, pidsMax);
    },
    async sweep() {
      const names = new Set([...bases.values()].flatMap((base) => childCgroups(base)));
      for (const name of names) {
        await sandboxCgroupV1(name, new Map([...bases].map(([controller, base]) => [controller, join(base, name)])), pidsMax).remove();
      }
      return names.size;
    },
    async close() {
      for (const base of bases.values()) await removeDir(base);
    },
  };
  return host;
}

function sandboxCgroupV1(name: string, dirs: Map<V1Controller, string>, pidsMax: number): SandboxCgroup {
  const freezer = dirs.get('freezer');
  const file = (controller: V1Controller, name: string) => {
    const dir = dirs.get(controller);
    return dir ? join(dir, name) : undefined;
  };
  const state = () => (freezer ? readFile(join(freezer, 'freezer.state')) : undefined);
  return {
    name,
    procsFiles: [...dirs.values()].map((dir) => join(dir, 'cgroup.procs')),
    canFreeze: freezer !== undefined,
    setLimits(limits: SandboxLimits) {
      const cpu = file('cpu', 'cpu.cfs_quota_us');
      if (cpu) {
        writeFile(file('cpu', 'cpu.cfs_period_us')!, String(CPU_PERIOD_US));
        writeFile(cpu, String(quotaOf(limits.cpu)));
      }
      const memory = file('memory', 'memory.limit_in_bytes');
      if (memory) {
        const bytes = String(Math.round(limits.memoryGiB * GiB));
        // memory+swap must stay at or above memory alone: raise it first when growing, lower it after when shrinking.
        const swap = file('memory', 'memory.memsw.limit_in_bytes');
        const withSwap = swap && existsSync(swap) ? swap : undefined;
        const growing = Number(readFile(memory)) < Number(bytes);
        if (withSwap && growing) writeFile(withSwap, bytes);
        writeFile(memory, bytes);
        if (withSwap && !growing) writeFile(withSwap, bytes);
      }
      const pids = file('pids', 'pids.max');
      if (pids) writeFile(pids, String(pidsMax));
    },
    async freeze() {
      if (!freezer) throw new Error('no freezer cgroup');
      // FREEZING until every task is frozen. A task forked while the kernel walks the cgroup can be missed and leave
      // it FREEZING for good (a shell loop forking every few ms, seen in CI), so FROZEN is written again on every
      // check, and every 50th check thaws first, as runc's v1 freezer does
      // (https://github.com/opencontainers/runc/blob/v1.1.0/libcontainer/cgroups/fs/freezer.go).
      let checks = 0;
      const frozen = () => {
        if (++checks % 50 === 0) writeFile(join(freezer, 'freezer.state'), 'THAWED');
        writeFile(join(freezer, 'freezer.state'), 'FROZEN');
        return state() === 'FROZEN';
      };
      if (!(await settle(frozen))) throw new Error(`the freezer left ${freezer} ${state() ?? 'gone'}`);
    },
    async thaw() {
      if (freezer && state() !== 'THAWED') writeFile(join(freezer, 'freezer.state'), 'THAWED');
    },
    read(name) {
      for (const dir of dirs.values()) {
        const value = readFile(join(dir, name));
        if (value !== undefined) return value;
      }
      return undefined;
    },
    pids() {
      return [...new Set([...dirs.values()].flatMap((dir) => pidsIn(join(dir, 'cgroup.procs'))))];
    },
    async remove() {
      // A frozen task takes no signal until thawed (v1 freezer): thaw, then kill in every hierarchy.
      if (freezer && existsSync(freezer)) await this.thaw();
      for (const dir of dirs.values()) await killAll(join(dir, 'cgroup.procs'));
      for (const dir of dirs.values()) await removeDir(dir);
    },
  };
}
