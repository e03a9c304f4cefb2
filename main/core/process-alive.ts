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
 * must name our CLI's `mcp` (or the tray app that runs it); elsewhere it is taken on trust.
 */
export function looksLikeOurServer(pid: number): boolean {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return true;
  }
  return /\bmcp\b/.test(cmdline) || /daytona[- ]tray/i.test(cmdline);
}
