import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readFile, writeFile } from './cgroup-files.ts';
import { cgroupV1Host, V1_CONTROLLERS, type V1Controller } from './cgroup-v1.ts';
import { cgroupV2Host, V2_CONTROLLERS, type V2Controller } from './cgroup-v2.ts';
import type { CgroupHost } from './types.ts';

export type { CgroupHost, SandboxCgroup, SandboxLimits } from './types.ts';

/** A sandbox's default pids limit (threads count: a Node process alone has about a dozen). */
export const DEFAULT_PIDS_MAX = 4096;

interface CgroupMount {
  root: string;
  mountPoint: string;
  type: 'cgroup' | 'cgroup2';
  options: string[];
}

/**
 * The cgroups the provider makes its sandboxes' in, or why there are none. `tag` names the provider's base cgroup
 * (one per data dir: a restarted provider finds, and sweeps, what a crashed one left). cgroup v1 hierarchies are
 * used where they are mounted (hybrid systems bind every controller there), else cgroup v2.
 * DAYTONA_TRAY_NO_CGROUPS=1 turns them off; DAYTONA_TRAY_CGROUP_VERSION=2 skips v1 (tests, diagnosis).
 */
export function setupCgroups(tag: string, pidsMax = DEFAULT_PIDS_MAX): { host: CgroupHost } | { reason: string } {
  if (process.platform !== 'linux') return { reason: 'cgroups exist on Linux only' };
  if (process.env.DAYTONA_TRAY_NO_CGROUPS === '1') return { reason: 'cgroups were turned off (DAYTONA_TRAY_NO_CGROUPS=1)' };
  const mounts = cgroupMounts();
  const own = ownCgroups();
  const baseName = `daytona-tray-${tag}`;
  const v1 = new Map<V1Controller, string>();
  const failures: string[] = [];
  if (process.env.DAYTONA_TRAY_CGROUP_VERSION !== '2') {
    for (const controller of V1_CONTROLLERS) {
      const mount = mounts.find((entry) => entry.type === 'cgroup' && entry.options.includes(controller));
      const path = own.find((entry) => entry.controllers.includes(controller))?.path;
      if (!mount || path === undefined) continue;
      const base = join(mount.mountPoint, relativeTo(mount.root, path), baseName);
      try {
        mkdirSync(base, { recursive: true });
        v1.set(controller, base);
      } catch (error) {
        failures.push(`${controller}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    }
    if (v1.size > 0) return { host: cgroupV1Host(v1, pidsMax) };
    if (failures.length > 0)
      return { reason: `the cgroup v1 hierarchies are not writable here (${failures.join(', ')}): run the provider as root to use them` };
  }
  const unified = mounts.find((entry) => entry.type === 'cgroup2');
  const path = own.find((entry) => entry.id === '0')?.path;
  if (!unified || path === undefined) return { reason: 'no cgroup v1 controllers nor a cgroup v2 hierarchy are mounted here' };
  return unifiedHost(join(unified.mountPoint, relativeTo(unified.root, path)), unified.mountPoint, baseName, pidsMax);
}

/**
 * cgroup v2: sandboxes go beside the provider's own cgroup when its parent is ours to write (a delegated subtree,
 * e.g. systemd's user@<uid>.service), with whichever of cpu, memory and pids the parent hands down; else under the
 * provider's own cgroup, where only the freezer works (a cgroup with processes cannot hand controllers down).
 */
function unifiedHost(ownDir: string, mountPoint: string, baseName: string, pidsMax: number): { host: CgroupHost } | { reason: string } {
  const parent = ownDir === mountPoint ? mountPoint : dirname(ownDir);
  const under = writable(parent) && writable(join(parent, 'cgroup.procs')) ? parent : ownDir;
  if (!writable(under)) {
    return {
      reason: `the provider's cgroup (${ownDir}) is not delegated to it: start it in one that is (systemd-run --user --scope -p Delegate=yes ...)`,
    };
  }
  const base = join(under, baseName);
  try {
    mkdirSync(base, { recursive: true });
  } catch (error) {
    return { reason: `could not make the cgroup ${base}: ${(error as Error).message}` };
  }
  if (readFile(join(base, 'cgroup.freeze')) === undefined)
    return { reason: 'this kernel has no cgroup v2 freezer (Linux 5.2 or later has)' };
  const offered = (readFile(join(under, 'cgroup.subtree_control')) ?? '').split(/\s+/);
  const controllers = V2_CONTROLLERS.filter((name): name is V2Controller => offered.includes(name));
  if (controllers.length > 0) {
    try {
      writeFile(join(base, 'cgroup.subtree_control'), controllers.map((name) => `+${name}`).join(' '));
    } catch {
      controllers.length = 0;
    }
  }
  return { host: cgroupV2Host(base, controllers, pidsMax) };
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function relativeTo(root: string, path: string): string {
  if (root === '/' || !path.startsWith(root)) return path;
  return path.slice(root.length) || '/';
}

/** cgroup mounts from /proc/self/mountinfo: `id parent dev root mountpoint opts [optional...] - type source superopts`. */
function cgroupMounts(): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of (readFile('/proc/self/mountinfo') ?? '').split('\n')) {
    const [before, after] = line.split(' - ');
    if (!before || !after) continue;
    const fields = before.split(' ');
    const [type, , superOptions = ''] = after.split(' ');
    if (type !== 'cgroup' && type !== 'cgroup2') continue;
    mounts.push({ root: fields[3] ?? '/', mountPoint: unescape(fields[4] ?? ''), type, options: superOptions.split(',') });
  }
  return mounts;
}

/** mountinfo escapes spaces and the like as \ooo. */
const unescape = (path: string) => path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/** The provider's own cgroups from /proc/self/cgroup: `id:controllers:path`. */
function ownCgroups(): { id: string; controllers: string[]; path: string }[] {
  return (readFile('/proc/self/cgroup') ?? '')
    .split('\n')
    .map((line) => /^(\d+):([^:]*):(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ id: match[1]!, controllers: match[2]!.split(','), path: match[3]! }));
}

/**
 * `[file, args]` that run `file args` after the process has joined the cgroup (its pid written to each of
 * `procsFiles` by a shell that then execs the command, so it and everything it forks are inside from the start).
 */
export function inCgroup(procsFiles: readonly string[] | undefined, file: string, args: string[]): [string, string[]] {
  if (!procsFiles || procsFiles.length === 0) return [file, args];
  const join = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"';
  return ['/bin/sh', ['-c', join, 'sh', String(procsFiles.length), ...procsFiles, file, ...args]];
}
