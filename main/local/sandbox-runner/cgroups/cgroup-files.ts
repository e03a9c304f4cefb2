import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signal } from '../processes.ts';

/** How long a freeze, or the emptying of a cgroup before its removal, may take before it counts as failed. */
export const SETTLE_MS = 5000;

export function readFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Writes a cgroup file; the error names the file and says what to check. */
export function writeFile(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch (error) {
    throw new Error(`could not write ${value.trim()} to ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Pids listed in a cgroup.procs file (none when it is gone). */
export function pidsIn(procsFile: string): number[] {
  return (readFile(procsFile) ?? '').split('\n').filter(Boolean).map(Number);
}

/** A fresh cgroup name for one sandbox. */
export const newName = () => `sandbox-${randomBytes(6).toString('hex')}`;

/** Sub-directories of `dir` (the sandbox cgroups under a base), none when it cannot be read. */
export function childCgroups(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

export async function settle(done: () => boolean, limitMs = SETTLE_MS): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/** SIGKILLs everything listed in `procsFile` until it is empty (a process forked meanwhile is caught by the next pass). */
export async function killAll(procsFile: string): Promise<void> {
  await settle(() => {
    const pids = pidsIn(procsFile);
    for (const pid of pids) signal(pid, 'SIGKILL');
    return pids.length === 0;
  });
}

/** Removes an empty cgroup directory (busy for a moment after its last process died); gone already is fine. */
export async function removeDir(dir: string): Promise<void> {
  let last: unknown;
  const removed = await settle(() => {
    try {
      rmdirSync(dir);
      return true;
    } catch (error) {
      last = error;
      return (error as NodeJS.ErrnoException).code === 'ENOENT';
    }
  });
  if (!removed) throw new Error(`could not remove the cgroup ${dir}: ${String(last)}`);
}

export const GiB = 1024 ** 3;
/** The scheduler period the cpu quota is a share of (the kernel's default, 100 ms). */
export const CPU_PERIOD_US = 100_000;
export const quotaOf = (cpu: number) => Math.max(1000, Math.round(cpu * CPU_PERIOD_US));
export { join };
