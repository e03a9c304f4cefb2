import { constants } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DaytonaError, DaytonaFileAccessDeniedError, DaytonaFileNotFoundError, type Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFolders } from '../../main/local/toolbox/files/upload.ts';
import { openInside, resolveSandboxPath, viaParent } from '../../main/local/toolbox/sandbox-paths.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';

async function rejection(promise: Promise<unknown>): Promise<DaytonaError> {
  try {
    await promise;
  } catch (error) {
    return error as DaytonaError;
  }
  throw new Error('expected the call to fail');
}

// The toolbox's file API serves the sandbox's own filesystem, as Daytona's daemon does from inside its container
// (apps/daemon/pkg/toolbox/fs/*.go work on the container's paths): /etc, /usr and / as a command in the same
// sandbox sees them, read-only where the sandbox's view is, with symlinks resolved inside the sandbox.
describe(
  'local provider: the file API sees the sandbox filesystem as its commands do',
  skipWhen(bubblewrapSkipReason(), 'bubblewrap'),
  () => {
    let t: TestProvider;
    let sandbox: Sandbox;
    /** A folder on the host, outside every sandbox, with a file in it. */
    let hostDir: string;
    const sh = async (command: string) => {
      const done = await sandbox.process.executeCommand(command);
      expect(done.exitCode, `${command}: ${done.result}`).toBe(0);
      return done.result;
    };

    beforeAll(async () => {
      t = await startTestProvider();
      sandbox = await t.daytona.create({ name: 'fs-view' });
      hostDir = await mkdtemp(join('/var/tmp', `daytona-tray-host-${process.pid}-`));
      await writeFile(join(hostDir, 'secret.txt'), 'host secret');
    });
    afterAll(async () => {
      await t?.stop();
      if (hostDir) await rm(hostDir, { recursive: true, force: true });
    });

    it('reads /etc/os-release and /etc/passwd with the content cat gives inside (the sandbox passwd, not the host one)', async () => {
      expect((await sandbox.fs.downloadFile('/etc/os-release')).toString()).toBe(await sh('cat /etc/os-release'));
      const passwd = (await sandbox.fs.downloadFile('/etc/passwd')).toString();
      expect(passwd).toBe(await sh('cat /etc/passwd'));
      expect(passwd).toMatch(/^daytona:x:1000:1000:/m);
      expect(passwd).not.toBe(await readFile('/etc/passwd', 'utf8'));
      expect(await sandbox.fs.getFileDetails('/etc/os-release')).toMatchObject({ name: 'os-release', isDir: false });
    });

    it('lists / as ls does inside', async () => {
      const listed = (await sandbox.fs.listFiles('/')).map((file) => file.name);
      expect(listed).toEqual((await sh('ls -A /')).trim().split(/\s+/).sort());
      expect(listed).toEqual(expect.arrayContaining(['etc', 'home', 'proc', 'tmp', 'usr']));
      expect(listed).not.toContain('root');
      expect(listed).not.toContain('var');
    });

    it('refuses writes to read-only parts with the daemon permission error, and changes nothing', async () => {
      const denied = async (promise: Promise<unknown>) => {
        const error = await rejection(promise);
        expect(error).toBeInstanceOf(DaytonaFileAccessDeniedError);
        expect(error.statusCode).toBe(403);
        expect(error.message).toMatch(/Permission denied/);
      };
      await denied(sandbox.fs.uploadFile(Buffer.from('x'), '/usr/planted.txt'));
      await denied(sandbox.fs.createFolder('/etc/newdir', '755'));
      await denied(sandbox.fs.createFolder('/usr/a/b', '755'));
      await denied(sandbox.fs.uploadFile(Buffer.from('x'), '/etc/sub/planted.txt'));
      await denied(sandbox.fs.deleteFile('/etc/os-release'));
      await denied(sandbox.fs.moveFiles('/etc/os-release', '/etc/moved'));
      await denied(sandbox.fs.setFilePermissions('/etc/os-release', { mode: '777' }));
      const [replaced] = await sandbox.fs.replaceInFiles(['/etc/os-release'], 'Linux', 'Xinux');
      expect(replaced).toMatchObject({ success: false, error: expect.stringMatching(/Permission denied/) });
      const raw = await t.request(`/toolbox/${sandbox.id}/files/folder?path=/usr/x&mode=755`, { method: 'POST' });
      expect(raw.status).toBe(403);
      expect(await raw.json()).toMatchObject({ statusCode: 403, code: 'FILE_ACCESS_DENIED', source: 'DAYTONA_DAEMON' });
      expect(await sh('test ! -e /usr/planted.txt && test ! -e /etc/newdir && grep -c Linux /etc/os-release')).not.toBe('0');
    });

    it("resolves symlinks and '..' inside the sandbox: a link to / is the sandbox's /, a link to a host folder is that path inside", async () => {
      await sh(
        `ln -s / rootlink && ln -s /etc/passwd passwd-link && ln -s '${hostDir}' hostlink && ln -s '${hostDir}/secret.txt' host-secret`,
      );
      const inside = await sh('cat /etc/passwd');
      expect((await sandbox.fs.downloadFile('rootlink/etc/passwd')).toString()).toBe(inside);
      expect((await sandbox.fs.downloadFile('passwd-link')).toString()).toBe(inside);
      expect((await sandbox.fs.downloadFile('/home/daytona/../../etc/passwd')).toString()).toBe(inside);
      expect((await sandbox.fs.downloadFile('rootlink/../../../etc/passwd')).toString()).toBe(inside);
      // The host folder does not exist inside the sandbox: nothing of the host is read.
      await expect(sandbox.fs.downloadFile('host-secret')).rejects.toBeInstanceOf(DaytonaFileNotFoundError);
      await expect(sandbox.fs.downloadFile('hostlink/secret.txt')).rejects.toBeInstanceOf(DaytonaFileNotFoundError);
      await expect(sandbox.fs.listFiles('hostlink')).rejects.toBeInstanceOf(DaytonaFileNotFoundError);
      expect(await sandbox.fs.findFiles('rootlink/etc/passwd', 'daytona')).toHaveLength(1);
      // A write through them lands where the sandbox sees that path, never on the host.
      await sandbox.fs.uploadFile(Buffer.from('planted'), 'rootlink/tmp/through-root.txt');
      expect(await sh('cat /tmp/through-root.txt')).toBe('planted');
      await sandbox.fs.uploadFile(Buffer.from('overwritten'), 'host-secret');
      await sandbox.fs.createFolder('hostlink/newdir', '755');
      expect(await sh(`cat '${hostDir}/secret.txt'; test -d '${hostDir}/newdir' && echo made`)).toBe('overwrittenmade\n');
      expect(await readdir(hostDir)).toEqual(['secret.txt']);
      expect(await readFile(join(hostDir, 'secret.txt'), 'utf8')).toBe('host secret');
      // Deleting a link removes the link only.
      await sandbox.fs.deleteFile('rootlink');
      expect(await sh('test ! -e rootlink && test -d /etc && echo ok')).toContain('ok');
    });

    it('keeps uploads and downloads working in the home and /tmp, and moves files between them', async () => {
      await sandbox.fs.uploadFile(Buffer.from('in home'), 'work/a.txt');
      await sandbox.fs.uploadFile(Buffer.from('in tmp'), '/tmp/b.txt');
      expect(await sh('cat /home/daytona/work/a.txt /tmp/b.txt')).toBe('in homein tmp');
      expect((await sandbox.fs.downloadFile('/tmp/b.txt')).toString()).toBe('in tmp');
      // /tmp and the home are separate mounts inside the sandbox: a move between them copies, then removes.
      await sandbox.fs.moveFiles('/tmp/b.txt', '/home/daytona/work/b.txt');
      await sandbox.fs.moveFiles('work', '/tmp/work');
      expect(await sh('cat /tmp/work/a.txt /tmp/work/b.txt; test ! -e /home/daytona/work && echo moved')).toBe('in homein tmpmoved\n');
      const [a, b] = await sandbox.fs.downloadFiles([{ source: '/tmp/work/a.txt' }, { source: '/tmp/work/b.txt' }]);
      expect([a!.result?.toString(), b!.result?.toString()]).toEqual(['in home', 'in tmp']);
      // Outside the writable mounts (the sandbox's / itself), as its processes may.
      expect(await sandbox.fs.listFiles('/tmp/work')).toHaveLength(2);
    });

    it('searches and finds across /etc', async () => {
      expect((await sandbox.fs.searchFiles('/etc', 'os-release')).files).toContain('/etc/os-release');
      const found = await sandbox.fs.findFiles('/etc', 'daytona:x:1000');
      expect(found).toContainEqual({ file: '/etc/passwd', line: 2, content: expect.stringMatching(/^daytona:x:1000:1000:/) });
    });

    it('opens nothing that is not on the sandbox mounts: a path swapped to a host file is refused, a file it created removed', async () => {
      const root = await t.provider.service.access.openRoot(sandbox.id);
      expect(root).toBeDefined();
      try {
        const scope = { dirs: t.provider.service.dirsOf(sandbox.id), root };
        const inside = await resolveSandboxPath(scope, '/etc/os-release');
        await (await openInside(inside, constants.O_RDONLY)).close();
        // As if a folder on the way had become a symlink to the host after the path was resolved.
        const swapped = { ...inside, hostPath: join(hostDir, 'secret.txt') };
        await expect(openInside(swapped, constants.O_RDONLY)).rejects.toMatchObject({ status: 403 });
        const created = { ...inside, hostPath: join(hostDir, 'created.txt') };
        await expect(openInside(created, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644)).rejects.toMatchObject({
          status: 403,
        });
        expect(await readdir(hostDir)).toEqual(['secret.txt']);
        // The sandbox's home through its host folder is the host's mount, not the sandbox's: refused too.
        const viaHost = { ...inside, hostPath: join(scope.dirs.home, '.profile-probe') };
        await writeFile(viaHost.hostPath, 'x');
        await expect(openInside(viaHost, constants.O_RDONLY)).rejects.toMatchObject({ status: 403 });
      } finally {
        await root?.close();
      }
      const handle = await open('/etc/hostname', 'r').catch(() => undefined);
      await handle?.close();
    });

    it('deletes, renames and makes folders only inside: a folder swapped for a symlink to the host after resolution is refused', async () => {
      await writeFile(join(hostDir, 'victim.txt'), 'keep me');
      const root = await t.provider.service.access.openRoot(sandbox.id);
      try {
        const scope = { dirs: t.provider.service.dirsOf(sandbox.id), root };
        await sh('mkdir -p /tmp/swap && touch /tmp/swap/victim.txt /tmp/swap/other.txt');
        const victim = await resolveSandboxPath(scope, '/tmp/swap/victim.txt');
        const other = await resolveSandboxPath(scope, '/tmp/swap/other.txt');
        const folder = await resolveSandboxPath(scope, '/tmp/swap/newdir');
        // A sandbox process swaps the folder for a link to a host folder (named by its host path, which the provider's
        // kernel would follow from the host's root).
        await sh(`mv /tmp/swap /tmp/swapped && ln -s '${hostDir}' /tmp/swap`);
        // Refused where the swapped folder is met (a link, not a folder), before anything is done.
        await expect(viaParent(victim, (at) => rm(at))).rejects.toMatchObject({ code: 'ENOTDIR' });
        await expect(viaParent(other, (from) => viaParent(victim, (to) => rename(from, to)))).rejects.toMatchObject({ code: 'ENOTDIR' });
        await expect(makeFolders(folder, folder.hostPath, 0o755)).rejects.toMatchObject({ code: 'EEXIST' }); // a link is not a folder
        expect((await readdir(hostDir)).sort()).toEqual(['secret.txt', 'victim.txt']);
        expect(await readFile(join(hostDir, 'victim.txt'), 'utf8')).toBe('keep me');
      } finally {
        await root?.close();
      }
    });
  },
);
