import { readFileSync } from 'node:fs';

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` still runs a Daytona Tray MCP server (pids get reused): where /proc exists its command line
 * must name our CLI's `mcp` (or the tray app that runs it) and, given the runtime file's `startedAt`, the
 * process must have started before the server wrote it; elsewhere it is taken on trust.
 */
export function looksLikeOurServer(pid: number, startedAt?: string): boolean {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return true;
  }
  if (!/\bmcp\b/.test(cmdline) && !/daytona[- ]tray/i.test(cmdline)) return false;
  const wrote = startedAt === undefined ? NaN : Date.parse(startedAt);
  const began = processStartMs(pid);
  // A process that began after the file was written is another one with a reused pid (slack for clock steps).
  return Number.isNaN(wrote) || began === undefined || began <= wrote + START_SLACK_MS;
}

const START_SLACK_MS = 5_000;
/** USER_HZ: the unit of /proc's clock-tick fields, fixed at 100 in the kernel's ABI for user space. */
const USER_HZ = 100;

/** When the process began (ms since the epoch), from /proc (Linux); undefined where that cannot be read. */
export function processStartMs(pid: number): number | undefined {
  const ticks = processStartTicks(pid);
  try {
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (ticks === undefined || !Number.isFinite(bootSeconds)) return undefined;
    return bootSeconds * 1000 + (ticks * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** When the process began, in clock ticks after boot (/proc/<pid>/stat field 22); undefined without /proc. */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2, the command name, may hold spaces and parentheses: count fields from the last ')'.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}
