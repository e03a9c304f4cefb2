import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { withFileLock } from '../../main/core/settings/file-lock.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('daytona-tray-lock-');
});
afterEach(() => dir.cleanup());

it('runs tasks one at a time, holding a lock file with the owner pid, and removes it after', async () => {
  const lock = join(dir.path, 'x.lock');
  const order: string[] = [];
  const task = (name: string) =>
    withFileLock(lock, async () => {
      order.push(`${name}:start`);
      expect(await readFile(lock, 'utf8')).toBe(String(process.pid));
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push(`${name}:end`);
      return name;
    });
  expect(await Promise.all([task('a'), task('b'), task('c')])).toEqual(['a', 'b', 'c']);
  for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i]!.replace('start', 'end'));
  await expect(readFile(lock)).rejects.toMatchObject({ code: 'ENOENT' });
});

it('gives up on a live holder with a message naming the lock and the pid', async () => {
  const lock = join(dir.path, 'y.lock');
  await writeFile(lock, String(process.pid));
  await expect(withFileLock(lock, async () => 'never', { timeoutMs: 100 })).rejects.toThrow(`${lock} is held by process ${process.pid}`);
  expect(await readFile(lock, 'utf8')).toBe(String(process.pid)); // not ours to remove
});

it('takes over a lock that is older than staleMs even if the pid is alive (pids get reused)', async () => {
  const lock = join(dir.path, 'z.lock');
  await writeFile(lock, String(process.pid));
  expect(await withFileLock(lock, async () => 'ran', { staleMs: 0 })).toBe('ran');
});

it('releases the lock when the task throws', async () => {
  const lock = join(dir.path, 'w.lock');
  await expect(
    withFileLock(lock, async () => {
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  await expect(readFile(lock)).rejects.toMatchObject({ code: 'ENOENT' });
});
