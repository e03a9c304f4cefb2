import { spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Kills a running command, its process group, and descendants that left the group (setsid). */
export function killTree(child: ChildProcess, sig: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  killPidTree(child.pid, sig);
}

/** Kills a live process that leads its own process group, that group, and its descendants that left it. */
export function killPidTree(leader: number, sig: NodeJS.Signals = 'SIGKILL'): void {
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(leader), '/t', '/f'], { stdio: 'ignore', timeout: 10_000 });
    return;
  }
  const descendants = descendantsOf(leader);
  try {
    process.kill(-leader, sig);
  } catch {
    signal(leader, sig);
  }
  for (const pid of descendants) signal(pid, sig);
}

/** Pids of every live descendant of `root` (Linux; elsewhere none). */
function descendantsOf(root: number): number[] {
  const table = processTable();
  if (!table) return [];
  const children = new Map<number, number[]>();
  for (const [pid, entry] of table) {
    const list = children.get(entry.parent);
    if (list) list.push(pid);
    else children.set(entry.parent, [pid]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const pid of children.get(queue.shift()!) ?? []) {
      found.push(pid);
      queue.push(pid);
    }
  }
  return found;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

const SETTLE_LIMIT_MS = 3000;

/** Polls `done` every few ms, for at most `limitMs`. */
export async function until(done: () => boolean, limitMs = SETTLE_LIMIT_MS): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

export interface ProcStat {
  state: string;
  parent: number;
  group: number;
  start: string;
}

/** State, parent, process group and start time from /proc/<pid>/stat (Linux); undefined when there is no such process. */
export function procStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

function parseStat(stat: string): ProcStat {
  // Fields after the command name (which may contain spaces): state, ppid, pgrp, ..., start time (20th).
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return { state: fields[0] ?? '', parent: Number(fields[1]), group: Number(fields[2]), start: fields[19] ?? '' };
}

/** Every process on the host by pid (Linux); undefined without /proc. */
export function processTable(): Map<number, ProcStat> | undefined {
  if (process.platform !== 'linux') return undefined;
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const table = new Map<number, ProcStat>();
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat) table.set(Number(name), stat);
  }
  return table;
}
