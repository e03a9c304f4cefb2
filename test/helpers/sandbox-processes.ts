import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A host process in a sandbox's pid namespace: its host pid, its parent's, its pid inside, its command line. */
export interface SandboxProcess {
  pid: number;
  ppid: number;
  nsPid: number;
  args: string;
}

/** Host processes in the pid namespace `ns` (what `readlink /proc/self/ns/pid` says inside the sandbox). */
export function processesIn(ns: string): SandboxProcess[] {
  const found: SandboxProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/pid`) !== ns) continue;
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const field = (key: string) =>
        status
          .match(new RegExp(`^${key}:\\s*(.*)$`, 'm'))?.[1]
          ?.trim()
          .split(/\s+/) ?? [];
      found.push({
        pid: Number(name),
        ppid: Number(field('PPid')[0]),
        nsPid: Number(field('NSpid').at(-1)),
        args: readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim(),
      });
    } catch {
      // exited meanwhile, or not ours to look at
    }
  }
  return found;
}
