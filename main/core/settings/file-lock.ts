import { open, readFile, rm, stat } from 'node:fs/promises';
import { backoffDelay } from '../backoff.ts';
import { processAlive } from '../process-alive.ts';

export interface FileLockOptions {
  /** Give up after this long (default 5 s). */
  timeoutMs?: number;
  /** A lock older than this is taken over even if its owner looks alive (default 10 s; pids get reused). */
  staleMs?: number;
}

/** Waits between tries for a held lock: 5 ms, doubling, at most 100 ms. */
const LOCK_WAIT = { initialMs: 5, maxMs: 100 };

/**
 * Runs `task` while holding `<lockFile>` (created exclusively, holding our pid), so a read-modify-write of a
 * file shared by several processes (the tray and the CLI both change settings) never loses a change.
 * A lock left by a process that died is taken over.
 */
export async function withFileLock<T>(lockFile: string, task: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const staleMs = options.staleMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const handle = await open(lockFile, 'wx', 0o600);
      try {
        await handle.writeFile(String(process.pid));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await lockOwner(lockFile);
    if (owner === undefined || !processAlive(owner.pid) || Date.now() - owner.mtimeMs > staleMs) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${lockFile} is held by process ${owner.pid}; try again in a moment (or delete that file if no Daytona Tray is running).`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, backoffDelay(LOCK_WAIT, attempt)));
  }
  try {
    return await task();
  } finally {
    await rm(lockFile, { force: true });
  }
}

async function lockOwner(lockFile: string): Promise<{ pid: number; mtimeMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(lockFile, 'utf8'), stat(lockFile)]);
    const pid = Number(text);
    // An empty file is a lock being written right now: treat it as fresh and held.
    if (text === '') return { pid: process.pid, mtimeMs: info.mtimeMs };
    return Number.isInteger(pid) && pid > 0 ? { pid, mtimeMs: info.mtimeMs } : undefined;
  } catch {
    return { pid: process.pid, mtimeMs: Date.now() }; // vanished meanwhile: just retry
  }
}
