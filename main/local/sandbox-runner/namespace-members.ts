import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { procStat, signal } from './processes.ts';

/** Host pid and start time of a sandbox's pid 1, and its pid namespace. */
export interface InitProcess {
  pid: number;
  start: string;
  pidNamespace: string;
}

/** Processes in the init's pid namespace (host pids), with their pid inside it. */
export function namespaceMembers(init: InitProcess): { pid: number; nsPid: number; start: string }[] {
  const members: { pid: number; nsPid: number; start: string }[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/pid`) !== init.pidNamespace) continue;
      const nsPid = Number(/^NSpid:.*?(\d+)\s*$/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1]);
      const start = procStat(Number(name))?.start;
      if (nsPid > 0 && start !== undefined) members.push({ pid: Number(name), nsPid, start });
    } catch {
      // gone meanwhile, or not ours to look at
    }
  }
  return members;
}

/**
 * Signals every process in the init's pid namespace, bwrap's pid 1 included. A process forked while the
 * signals go out is caught by the next pass; passes stop once one finds nobody new.
 */
export function signalMembers(init: InitProcess, sig: NodeJS.Signals): number {
  const reached = new Set<string>();
  for (let pass = 0; pass < 5; pass++) {
    const fresh = namespaceMembers(init).filter((member) => !reached.has(`${member.pid}:${member.start}`));
    if (fresh.length === 0) break;
    for (const member of fresh) {
      signal(member.pid, sig);
      reached.add(`${member.pid}:${member.start}`);
    }
  }
  return reached.size;
}
