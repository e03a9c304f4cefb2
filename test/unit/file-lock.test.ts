import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireFileLock, lockHolder, LockHeldError, tryFileLock, withFileLock } from '../../main/core/file-lock.ts';
import { appModule, holdInChild } from '../helpers/lock-holder.ts';
import { skipWhen } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const FILE_LOCK = appModule('main/core/file-lock.ts');

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('daytona-tray-lock-');
});
afterEach(() => dir.cleanup());

async function holderIn(lock: string): Promise<number> {
  return (JSON.parse(await readFile(lock, 'utf8')) as { pid: number }).pid;
}

it('runs tasks one at a time, holding a lock file that names this process, and removes it after', async () => {
  const lock = join(dir.path, 'x.lock');
  const order: string[] = [];
  const task = (name: string) =>
    withFileLock(
      lock,
      async () => {
        order.push(`${name}:start`);
        expect(await holderIn(lock)).toBe(process.pid);
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push(`${name}:end`);
        return name;
      },
      { waitMs: 5_000 },
    );
  expect(await Promise.all([task('a'), task('b'), task('c')])).toEqual(['a', 'b', 'c']);
  for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i]!.replace('start', 'end'));
  expect(await readdir(dir.path)).toEqual([]);
});

it('gives up on a live holder with a message naming the lock and the pid, and leaves its lock alone', async () => {
  const lock = join(dir.path, 'y.lock');
  const held = await acquireFileLock(lock);
  const error = await withFileLock(lock, async () => 'never', { waitMs: 100 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LockHeldError);
  expect((error as Error).message).toBe(
    `${lock} is held by process ${process.pid}; try again in a moment (or delete that file if no Daytona Tray is running).`,
  );
  expect(await holderIn(lock)).toBe(process.pid);
  await held.release();
  expect(existsSync(lock)).toBe(false);
});

it('honours a bare-pid lock an earlier version wrote while its holder runs', async () => {
  const lock = join(dir.path, 'old.lock');
  await writeFile(lock, String(process.pid));
  expect(await tryFileLock(lock)).toEqual({ holder: process.pid });
});

it('takes over a lock older than staleMs even if the pid is alive (pids get reused where /proc cannot tell)', async () => {
  const lock = join(dir.path, 'z.lock');
  await writeFile(lock, String(process.pid));
  expect(await withFileLock(lock, async () => 'ran', { staleMs: 0 })).toBe('ran');
});

it('takes over a lock that names no holder (damaged)', async () => {
  const lock = join(dir.path, 'bad.lock');
  await writeFile(lock, 'garbage');
  expect(await withFileLock(lock, async () => holderIn(lock))).toBe(process.pid);
});

it('releases the lock when the task throws', async () => {
  const lock = join(dir.path, 'w.lock');
  await expect(
    withFileLock(lock, async () => {
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  expect(existsSync(lock)).toBe(false);
});

it('a release does not remove a lock someone else holds now', async () => {
  const lock = join(dir.path, 'v.lock');
  const ours = await acquireFileLock(lock);
  // Someone judged us dead and took over (as after staleMs).
  await writeFile(lock, JSON.stringify({ pid: 1, token: 'theirs' }));
  await ours.release();
  expect(await readFile(lock, 'utf8')).toContain('theirs');
});

describe('a lock left by a process that was killed', () => {
  it('is held while that process runs, and taken over at once after a SIGKILL', async () => {
    const lock = join(dir.path, 'killed.lock');
    const child = await holdInChild(`const { tryFileLock } = await import(${JSON.stringify(FILE_LOCK)});
      const taken = await tryFileLock(${JSON.stringify(lock)});
      if (!('lock' in taken)) throw new Error('not taken');`);
    try {
      expect(await lockHolder(lock)).toBe(child.pid);
      expect(await tryFileLock(lock)).toEqual({ holder: child.pid });
    } finally {
      await child.kill();
    }
    // No wait: the holder is gone, so the lock is not anyone's.
    expect(await lockHolder(lock)).toBeUndefined();
    const taken = await acquireFileLock(lock, { waitMs: 0 });
    expect(await holderIn(lock)).toBe(process.pid);
    await taken.release();
    expect(await readdir(dir.path)).toEqual([]);
  });

  const noProc = existsSync('/proc/self/stat') ? undefined : 'no /proc here: a reused pid cannot be told apart from its first process';
  it(
    'is not honoured when its pid now belongs to another process (a reused pid) or to a boot before this one',
    skipWhen(noProc),
    async () => {
      const lock = join(dir.path, 'reused.lock');
      // This test's own pid stands for the reused one: alive, but started at another tick than the lock says.
      await writeFile(lock, JSON.stringify({ pid: process.pid, startTicks: 1 }));
      expect(await lockHolder(lock)).toBeUndefined();
      const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
      await writeFile(lock, JSON.stringify({ pid: process.pid, bootId: bootId.replace(/^./, (c) => (c === '0' ? '1' : '0')) }));
      expect(await lockHolder(lock)).toBeUndefined();
      // The same pid, boot and start tick: the holder itself.
      const held = await acquireFileLock(join(dir.path, 'own.lock'));
      const own = JSON.parse(await readFile(join(dir.path, 'own.lock'), 'utf8')) as Record<string, unknown>;
      expect(own).toMatchObject({ pid: process.pid, bootId, startTicks: expect.any(Number) });
      expect(await lockHolder(join(dir.path, 'own.lock'))).toBe(process.pid);
      await held.release();
    },
  );
});
