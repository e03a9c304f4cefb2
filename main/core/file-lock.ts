import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { uptime } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { AppError } from './app-error.ts';
import { backoffDelay } from './backoff.ts';
import { processAlive, processStartTicks } from './process-alive.ts';

/*
 * The one lock file helper: the settings' read-modify-write, the MCP server's start lock, the local provider's
 * claim on its data directory and the web app's single instance all use it. A lock file names its holder
 * (pid, and where /proc has them, the boot id and the process's start tick, so a reused pid or a reboot is
 * seen); a lock whose holder is gone is taken over at once.
 *
 * Why not the kept library proper-lockfile (4.1.2, measured for this): it knows no holder, only the lock's
 * age, kept fresh by a timer. A lock left by a SIGKILLed process was taken over after 10.6 s with its default
 * `stale` and 2.7 s with its minimum (2 s), where a killed provider or server should be replaced at once; and a
 * holder whose event loop stalls longer than `stale` (a loaded machine, a laptop waking) loses its lock, which
 * by default throws from a timer, so a provider could crash while its sandboxes run.
 */

export interface LockOptions {
  /** How long to wait for a live holder to let go (default 0: say at once that it is held). */
  waitMs?: number;
  /** A lock older than this is taken over even when its holder looks alive (default: never). */
  staleMs?: number;
}

export interface HeldLock {
  readonly file: string;
  /** Removes the lock if it is still ours (idempotent). */
  release(): Promise<void>;
}

/** The lock is held by another live process. */
export class LockHeldError extends AppError {
  readonly file: string;
  readonly holder: number;
  constructor(
    file: string,
    holder: number,
    message = `${file} is held by process ${holder}; try again in a moment (or delete that file if no Daytona Tray is running).`,
  ) {
    super(message);
    this.file = file;
    this.holder = holder;
  }
}

/** Waits between tries for a held lock: 5 ms, doubling, at most 100 ms. */
const LOCK_WAIT = { initialMs: 5, maxMs: 100 };

/** Runs `task` while holding `file`, so a read-modify-write shared by several processes never loses a change. */
export async function withFileLock<T>(file: string, task: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = await acquireFileLock(file, options);
  try {
    return await task();
  } finally {
    await lock.release();
  }
}

/** Takes the lock, waiting up to `waitMs` for a live holder; throws LockHeldError naming the holder after that. */
export async function acquireFileLock(file: string, options: LockOptions = {}): Promise<HeldLock> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (let attempt = 1; ; attempt++) {
    const result = await tryFileLock(file, options);
    if ('lock' in result) return result.lock;
    if (Date.now() >= deadline) throw new LockHeldError(file, result.holder);
    await new Promise((resolve) => setTimeout(resolve, backoffDelay(LOCK_WAIT, attempt)));
  }
}

/** Takes the lock now (taking over a stale one), or says which live process holds it. */
export async function tryFileLock(
  file: string,
  options: Pick<LockOptions, 'staleMs'> = {},
): Promise<{ lock: HeldLock } | { holder: number }> {
  const content = `${JSON.stringify({ pid: process.pid, ...identity(process.pid), token: randomBytes(8).toString('hex') })}\n`;
  // Written whole beside the lock, then linked to its name: link(2) fails if the name exists, so a reader never
  // sees a lock without its holder (a process killed while writing leaves only the temp file, which we remove).
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.daytona-tray.tmp`);
  await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
  try {
    // Each round takes the lock, finds its live holder or removes a stale lock: only a stream of stale locks
    // written by others could keep it going, so a bound says something is wrong rather than spinning.
    for (let round = 0; round < 100; round++) {
      try {
        await link(temp, file);
        return { lock: heldLock(file, content) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const seen = await readLock(file);
      if (seen === undefined) continue; // let go meanwhile
      const holder = liveHolder(seen, options.staleMs);
      if (holder !== undefined) return { holder };
      // Another process may be taking over the same stale lock: remove it only while it is still the one judged
      // stale (a new lock has a new token). The re-read and the removal are not one step; the window is a
      // syscall wide, and O_EXCL-style creation has no compare-and-delete to close it.
      if ((await readLock(file))?.raw === seen.raw) await rm(file, { force: true });
    }
    throw new Error(`Could not take ${file}: it kept being replaced by stale locks. Delete it if no Daytona Tray is running.`);
  } finally {
    await rm(temp, { force: true });
  }
}

/** The pid of the live process holding `file`, or undefined when it is free or stale. */
export async function lockHolder(file: string, options: Pick<LockOptions, 'staleMs'> = {}): Promise<number | undefined> {
  const seen = await readLock(file);
  return seen === undefined ? undefined : liveHolder(seen, options.staleMs);
}

function heldLock(file: string, content: string): HeldLock {
  let released = false;
  return {
    file,
    async release() {
      if (released) return;
      released = true;
      // Someone who judged us dead (a reused pid, staleMs passed) may hold it now: leave theirs alone.
      if ((await readLock(file))?.raw === content) await rm(file, { force: true });
    },
  };
}

interface Holder {
  pid: number;
  /** /proc/sys/kernel/random/boot_id where it exists. */
  bootId?: string;
  /** The machine's boot time in minutes since the epoch (for systems without a boot id). */
  bootTime?: number;
  /** The holder's start time in clock ticks after boot (/proc/<pid>/stat field 22). */
  startTicks?: number;
}

interface SeenLock {
  raw: string;
  mtimeMs: number;
  /** Undefined when the file names no holder (not ours, or damaged): such a lock is stale. */
  owner: Holder | undefined;
}

async function readLock(file: string): Promise<SeenLock | undefined> {
  try {
    const [raw, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { raw, mtimeMs: info.mtimeMs, owner: parseHolder(raw) };
  } catch {
    return undefined;
  }
}

/** Reads our lock format, and the bare pid that earlier versions wrote (so an upgrade honours a running holder). */
function parseHolder(raw: string): Holder | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value === 'number') value = { pid: value };
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.pid !== 'number' || !Number.isInteger(v.pid) || v.pid <= 0) return undefined;
  return {
    pid: v.pid,
    ...(typeof v.bootId === 'string' ? { bootId: v.bootId } : {}),
    ...(typeof v.bootTime === 'number' ? { bootTime: v.bootTime } : {}),
    ...(typeof v.startTicks === 'number' ? { startTicks: v.startTicks } : {}),
  };
}

function liveHolder(seen: SeenLock, staleMs: number | undefined): number | undefined {
  const owner = seen.owner;
  if (owner === undefined || !processAlive(owner.pid)) return undefined;
  if (staleMs !== undefined && Date.now() - seen.mtimeMs > staleMs) return undefined;
  const now = identity(owner.pid);
  // Written before a reboot, or the pid now belongs to a process that started later: not the holder.
  if (owner.bootId !== undefined && now.bootId !== undefined && owner.bootId !== now.bootId) return undefined;
  // Boot times in minutes only where there is no boot id (a clock step moves them).
  if (owner.bootId === undefined && owner.bootTime !== undefined && Math.abs(owner.bootTime - now.bootTime) > 1) return undefined;
  if (owner.startTicks !== undefined && now.startTicks !== undefined && owner.startTicks !== now.startTicks) return undefined;
  return owner.pid;
}

/** What tells this run of process `pid` apart from a later process with the same pid. */
function identity(pid: number): Omit<Holder, 'pid'> & { bootTime: number } {
  const bootTime = Math.round((Date.now() - uptime() * 1000) / 60_000);
  let bootId: string | undefined;
  try {
    bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // No /proc (macOS, Windows): the pid and boot time are all there is.
  }
  const startTicks = processStartTicks(pid);
  return {
    bootTime,
    ...(bootId ? { bootId } : {}),
    ...(startTicks !== undefined ? { startTicks } : {}),
  };
}
