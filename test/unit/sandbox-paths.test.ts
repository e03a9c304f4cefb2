import { constants } from 'node:fs';
import { mkdir, readdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../main/local/errors.ts';
import { isInside, normalizeSandboxPath, openInside, resolveSandboxPath } from '../../main/local/toolbox/sandbox-paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { skipWhen } from '../helpers/skip.ts';

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('normalizeSandboxPath', () => {
  it.each([
    ['app/main.py', '/home/daytona/app/main.py'],
    ['.', '/home/daytona'],
    ['~', '/home/daytona'],
    ['~/notes.txt', '/home/daytona/notes.txt'],
    ['/home/daytona/a/../b', '/home/daytona/b'],
    ['a//b/./c/', '/home/daytona/a/b/c'],
    ['/tmp/x', '/tmp/x'],
    ['..', '/home'],
    ['~user/x', '/home/daytona/~user/x'],
  ])('%s -> %s', (requested, expected) => {
    expect(normalizeSandboxPath(requested)).toBe(expected);
  });

  it.each([[''], [undefined], [42], [['a', 'b']], ['a\0b'], ['x'.repeat(4097)]])('refuses %j with 400 INVALID_FILE_PATH', (requested) => {
    expect(() => normalizeSandboxPath(requested)).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_FILE_PATH' }));
  });
});

describe('isInside', () => {
  it.each([
    ['/data/home', '/data/home', true],
    ['/data/home', '/data/home/a/b', true],
    ['/data/home', '/data/home/..hidden', true],
    ['/data/home', '/data/homework', false],
    ['/data/home', '/data', false],
    ['/data/home', '/data/home/../other', false],
    ['/data/home', '/etc/passwd', false],
  ])('isInside(%s, %s) is %s', (root, path, expected) => {
    expect(isInside(root, path)).toBe(expected);
  });
});

describe('resolveSandboxPath', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let dirs: { home: string; tmp: string };
  let outside: string;

  beforeAll(async () => {
    dir = await tempDir('daytona-tray-paths-');
    dirs = { home: join(dir.path, 'sandbox/home'), tmp: join(dir.path, 'sandbox/tmp') };
    outside = join(dir.path, 'outside');
    await mkdir(join(dirs.home, 'real/sub'), { recursive: true });
    await mkdir(dirs.tmp, { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(join(dirs.home, 'real/file.txt'), 'x');
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await symlink('real', join(dirs.home, 'rel-link'));
    await symlink('/home/daytona/real/sub', join(dirs.home, 'abs-link'));
    await symlink('/tmp', join(dirs.home, 'tmp-link'));
    await symlink('/etc', join(dirs.home, 'etc-link'));
    await symlink(outside, join(dirs.home, 'host-link'));
    await symlink('../../../..', join(dirs.home, 'real/climb-link'));
    await symlink('loop-b', join(dirs.home, 'loop-a'));
    await symlink('loop-a', join(dirs.home, 'loop-b'));
    await symlink('real/file.txt', join(dirs.home, 'file-link'));
    await symlink('missing-target', join(dirs.home, 'dangling'));
  });
  afterAll(async () => {
    await dir?.cleanup();
  });

  it('maps relative, ~ and absolute paths under /home/daytona and /tmp to the host', async () => {
    expect(await resolveSandboxPath(dirs, 'real/file.txt')).toMatchObject({
      sandboxPath: '/home/daytona/real/file.txt',
      hostPath: join(dirs.home, 'real/file.txt'),
      hostRoot: dirs.home,
    });
    expect(await resolveSandboxPath(dirs, '~')).toMatchObject({ sandboxPath: '/home/daytona', hostPath: dirs.home });
    expect(await resolveSandboxPath(dirs, '/tmp/new/file')).toMatchObject({
      sandboxPath: '/tmp/new/file',
      hostPath: join(dirs.tmp, 'new/file'),
      hostRoot: dirs.tmp,
    });
    expect((await resolveSandboxPath(dirs, 'not/yet/there.txt')).hostPath).toBe(join(dirs.home, 'not/yet/there.txt'));
    expect((await resolveSandboxPath(dirs, 'real/file.txt/below')).hostPath).toBe(join(dirs.home, 'real/file.txt/below'));
  });

  it.each(['..', '../x', '/', '/etc/passwd', '/root', '/home/daytonax', '/home/other/x', '/tmpfile', '/home/daytona/../../etc', '~/../x'])(
    'refuses %s as outside the sandbox (403 FILE_ACCESS_DENIED)',
    async (path) => {
      const error = await refusal(resolveSandboxPath(dirs, path));
      expect(error).toMatchObject({ status: 403, code: 'FILE_ACCESS_DENIED' });
      expect(error.message).toContain(`Path ${path} is outside the sandbox`);
    },
  );

  it('follows symlinks that stay inside, as the sandbox sees them, keeping the requested path for display', async () => {
    expect(await resolveSandboxPath(dirs, 'rel-link/file.txt')).toMatchObject({
      sandboxPath: '/home/daytona/rel-link/file.txt',
      hostPath: join(dirs.home, 'real/file.txt'),
    });
    expect((await resolveSandboxPath(dirs, 'abs-link')).hostPath).toBe(join(dirs.home, 'real/sub'));
    expect(await resolveSandboxPath(dirs, 'tmp-link/x')).toMatchObject({ hostPath: join(dirs.tmp, 'x'), hostRoot: dirs.tmp });
    expect((await resolveSandboxPath(dirs, 'file-link')).hostPath).toBe(join(dirs.home, 'real/file.txt'));
    expect((await resolveSandboxPath(dirs, 'dangling')).hostPath).toBe(join(dirs.home, 'missing-target'));
  });

  it('refuses symlinks that lead outside: to system folders, to host paths, or climbing with ..', async () => {
    for (const path of ['etc-link', 'etc-link/passwd', 'real/climb-link/etc', 'rel-link/climb-link']) {
      expect(await refusal(resolveSandboxPath(dirs, path)), path).toMatchObject({ status: 403, code: 'FILE_ACCESS_DENIED' });
    }
    // A host path is read the way the sandbox would read it: this one is not under /home/daytona or /tmp there.
    if (!outside.startsWith('/tmp/')) {
      expect(await refusal(resolveSandboxPath(dirs, 'host-link/secret.txt'))).toMatchObject({ status: 403 });
    } else {
      // Under /tmp it names the sandbox's own /tmp, where that folder does not exist: nothing outside is reached.
      expect((await resolveSandboxPath(dirs, 'host-link/secret.txt')).hostPath).toBe(
        join(dirs.tmp, outside.slice('/tmp/'.length), 'secret.txt'),
      );
    }
  });

  it('keeps a last-component symlink itself with followLast: false (to delete or move the link)', async () => {
    expect((await resolveSandboxPath(dirs, 'etc-link', { followLast: false })).hostPath).toBe(join(dirs.home, 'etc-link'));
    // Links before the last component are still followed, and checked.
    expect(await refusal(resolveSandboxPath(dirs, 'etc-link/passwd', { followLast: false }))).toMatchObject({ status: 403 });
  });

  it('refuses a symlink loop with 400 instead of spinning', async () => {
    expect(await refusal(resolveSandboxPath(dirs, 'loop-a/x'))).toMatchObject({ status: 400, code: 'INVALID_FILE_PATH' });
  });

  it('openInside opens files inside and refuses a last component that is a symlink', async () => {
    const handle = await openInside(await resolveSandboxPath(dirs, 'real/file.txt'), constants.O_RDONLY);
    expect((await handle.readFile()).toString()).toBe('x');
    await handle.close();
    const link = await resolveSandboxPath(dirs, 'file-link', { followLast: false });
    await expect(openInside(link, constants.O_RDONLY)).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it(
    'openInside catches a folder swapped for an escaping symlink after resolution, and removes what it created',
    skipWhen(process.platform !== 'linux' && 'needs Linux /proc'),
    async () => {
      await mkdir(join(dirs.home, 'swap'), { recursive: true });
      const resolved = await resolveSandboxPath(dirs, 'swap/planted.txt');
      // A sandbox process wins the race: the folder becomes a link to a host folder.
      await rename(join(dirs.home, 'swap'), join(dirs.home, 'swap-old'));
      await symlink(outside, join(dirs.home, 'swap'));
      const error = await refusal(openInside(resolved, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644));
      expect(error).toMatchObject({ status: 403, code: 'FILE_ACCESS_DENIED' });
      expect(await readdir(outside)).toEqual(['secret.txt']);

      // The same race on a read: the file opened would be the host's, so nothing is read.
      await mkdir(join(dirs.home, 'swap-read'));
      await writeFile(join(dirs.home, 'swap-read/secret.txt'), 'sandbox copy');
      const reading = await resolveSandboxPath(dirs, 'swap-read/secret.txt');
      await rename(join(dirs.home, 'swap-read'), join(dirs.home, 'swap-read-old'));
      await symlink(outside, join(dirs.home, 'swap-read'));
      expect(await refusal(openInside(reading, constants.O_RDONLY))).toMatchObject({ status: 403 });
    },
  );
});
