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

export const V2_CONTROLLERS = ['cpu', 'memory', 'pids'] as const;
export type V2Controller = (typeof V2_CONTROLLERS)[number];

/**
 * cgroup v2 (unified): one base directory, `base`, whose children are the sandboxes. `controllers` are the ones
 * enabled in the base's cgroup.subtree_control (the freezer, cgroup.freeze, is in every v2 cgroup).
 */
export function cgroupV2Host(base: string, controllers: V2Controller[], pidsMax: number): CgroupHost {
  return {
    version: 2,
    description: describe('cgroup v2', ['freezer', ...controllers], ['freezer', ...V2_CONTROLLERS]),
    create() {
      const name = newName();
      mkdirSync(join(base, name));
      return sandboxCgroupV2(name, join(base, name), controllers, pidsMax);
    },
    async sweep() {
      const names = childCgroups(base);
      for (const name of names) await sandboxCgroupV2(name, join(base, name), controllers, pidsMax).remove();
      return names.length;
    },
    close: () => removeDir(base),
  };
}

function sandboxCgroupV2(name: string, dir: string, controllers: V2Controller[], pidsMax: number): SandboxCgroup {
  const frozen = () => /^frozen 1$/m.test(readFile(join(dir, 'cgroup.events')) ?? '');
  return {
    name,
    procsFiles: [join(dir, 'cgroup.procs')],
    canFreeze: true,
    setLimits(limits: SandboxLimits) {
      if (controllers.includes('cpu')) writeFile(join(dir, 'cpu.max'), `${quotaOf(limits.cpu)} ${CPU_PERIOD_US}`);
      if (controllers.includes('memory')) {
        writeFile(join(dir, 'memory.max'), String(Math.round(limits.memoryGiB * GiB)));
        // No swapping past the limit: over it, the kernel's OOM killer ends the largest process, as in a container.
        if (existsSync(join(dir, 'memory.swap.max'))) writeFile(join(dir, 'memory.swap.max'), '0');
      }
      if (controllers.includes('pids')) writeFile(join(dir, 'pids.max'), String(pidsMax));
    },
    async freeze() {
      writeFile(join(dir, 'cgroup.freeze'), '1');
      if (!(await settle(frozen))) throw new Error(`the freezer did not report ${dir} frozen`);
    },
    async thaw() {
      writeFile(join(dir, 'cgroup.freeze'), '0');
    },
    read: (file) => readFile(join(dir, file)),
    pids: () => pidsIn(join(dir, 'cgroup.procs')),
    async remove() {
      if (!existsSync(dir)) return;
      // cgroup.kill (Linux 5.14) kills every process in it at once, frozen or not; before that, one by one.
      if (existsSync(join(dir, 'cgroup.kill'))) writeFile(join(dir, 'cgroup.kill'), '1');
      else writeFile(join(dir, 'cgroup.freeze'), '0');
      await killAll(join(dir, 'cgroup.procs'));
      await removeDir(dir);
    },
  };
}
