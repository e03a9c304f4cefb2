import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DaytonaConflictError,
  DaytonaError,
  DaytonaFileAccessDeniedError,
  DaytonaFileNotFoundError,
  DaytonaInvalidFilePathError,
  DaytonaValidationError,
  type Sandbox,
} from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlainTestProvider, startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { skipNow, skipWhen } from '../helpers/skip.ts';

const MAX_UPLOAD = 256 * 1024;
/**
 * Where the provider keeps its data in these tests. Not under /tmp, as in real use (the app's data folder is in
 * the user's home): a host path under /tmp means the sandbox's own /tmp when a sandbox names it.
 */
const DATA_PARENT = existsSync('/var/tmp') ? '/var/tmp' : undefined;

/** Files whose names mark an unfinished upload (`.<name>.<hex>.upload`), anywhere under `dir`. */
async function uploadTemps(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((name) => name.endsWith('.upload'));
}

async function rejection(promise: Promise<unknown>): Promise<DaytonaError> {
  try {
    await promise;
  } catch (error) {
    return error as DaytonaError;
  }
  throw new Error('expected the call to fail');
}

describe('local provider: toolbox files through the unmodified SDK', () => {
  let t: TestProvider;
  let sandbox: Sandbox;
  let home: string;
  let local: { path: string; cleanup: () => Promise<void> };
  let dataDir: string | undefined;
  const toolbox = (path: string) => `/toolbox/${sandbox.id}${path}`;

  beforeAll(async () => {
    dataDir = DATA_PARENT ? await mkdtemp(join(DATA_PARENT, 'daytona-tray-files-')) : undefined;
    t = await startTestProvider({ maxUploadBytes: MAX_UPLOAD, ...(dataDir ? { dataDir } : {}) });
    local = await tempDir('daytona-tray-files-local-');
    sandbox = await t.daytona.create({ name: 'files-main' });
    home = t.provider.service.dirsOf(sandbox.id).home;
  });
  afterAll(async () => {
    await t?.stop();
    await local?.cleanup();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  describe('upload and download', () => {
    it('uploads a Buffer and a local file, and downloads both to a Buffer and to a local path', async () => {
      await sandbox.fs.uploadFile(Buffer.from('hello buffer\n'), 'up/buffer.txt');
      const source = join(local.path, 'source.bin');
      const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
      await writeFile(source, bytes);
      await sandbox.fs.uploadFile(source, '/home/daytona/up/from-disk.bin');

      expect(await readFile(join(home, 'up/buffer.txt'), 'utf8')).toBe('hello buffer\n');
      expect((await sandbox.fs.downloadFile('up/buffer.txt')).toString()).toBe('hello buffer\n');
      expect(Buffer.compare(await sandbox.fs.downloadFile('/home/daytona/up/from-disk.bin'), bytes)).toBe(0);

      const target = join(local.path, 'nested/out/copy.bin');
      await sandbox.fs.downloadFile('up/from-disk.bin', target);
      expect(Buffer.compare(await readFile(target), bytes)).toBe(0);
    });

    it('uploads several files in one request, creating nested new folders, and overwrites existing ones', async () => {
      await sandbox.fs.uploadFiles([
        { source: Buffer.from('a'), destination: 'multi/a.txt' },
        { source: Buffer.from('b'), destination: 'multi/deep/er/b.txt' },
        { source: Buffer.from('c'), destination: '/tmp/multi/c.txt' },
        { source: Buffer.from(''), destination: 'multi/empty.txt' },
      ]);
      expect(await readFile(join(home, 'multi/deep/er/b.txt'), 'utf8')).toBe('b');
      expect(await readFile(join(t.provider.service.dirsOf(sandbox.id).tmp, 'multi/c.txt'), 'utf8')).toBe('c');
      expect((await stat(join(home, 'multi/empty.txt'))).size).toBe(0);
      expect((await stat(join(home, 'multi/deep'))).mode & 0o777).toBe(0o755);

      await sandbox.fs.uploadFile(Buffer.from('a2'), 'multi/a.txt');
      expect((await sandbox.fs.downloadFile('multi/a.txt')).toString()).toBe('a2');
      expect(await uploadTemps(home)).toEqual([]);
    });

    it('downloads a mix of good and missing paths, with a typed per-file error for the missing ones', async () => {
      const results = await sandbox.fs.downloadFiles([
        { source: 'multi/a.txt' },
        { source: 'multi/missing.txt' },
        { source: '/home/daytona/multi/deep/er/b.txt', destination: join(local.path, 'b-copy.txt') },
        { source: '/etc/passwd' },
        { source: 'multi/deep' },
      ]);
      expect(results.map((r) => r.source)).toEqual([
        'multi/a.txt',
        'multi/missing.txt',
        '/home/daytona/multi/deep/er/b.txt',
        '/etc/passwd',
        'multi/deep',
      ]);
      expect(results[0]!.result?.toString()).toBe('a2');
      expect(results[0]!.error).toBeUndefined();
      expect(results[1]!.result).toBeUndefined();
      expect(results[1]!.error).toMatch(/not found/i);
      expect(results[1]!.errorDetails).toMatchObject({ statusCode: 404, code: 'FILE_NOT_FOUND', source: 'DAYTONA_DAEMON' });
      expect(results[2]!.result).toBe(join(local.path, 'b-copy.txt'));
      expect(await readFile(join(local.path, 'b-copy.txt'), 'utf8')).toBe('b');
      // Under bubblewrap the file API sees the sandbox's own /etc (local-fidelity-sandbox-fs.test.ts); plain processes only their folders.
      if (t.provider.service.isolation === 'bubblewrap') expect(results[3]!.result?.toString()).toMatch(/^daytona:x:1000:1000:/m);
      else expect(results[3]!.errorDetails).toMatchObject({ statusCode: 403, code: 'FILE_ACCESS_DENIED' });
      expect(results[4]!.errorDetails).toMatchObject({ statusCode: 400, code: 'INVALID_FILE_PATH' });

      const missing = await rejection(sandbox.fs.downloadFile('multi/missing.txt'));
      expect(missing).toBeInstanceOf(DaytonaFileNotFoundError);
      expect(missing.statusCode).toBe(404);
    });

    it('downloads multi-megabyte files intact, several in one multipart response', async () => {
      const big = Buffer.alloc(5 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4) big.writeUInt32LE(i, i);
      await mkdir(join(home, 'big'), { recursive: true });
      await writeFile(join(home, 'big/one.bin'), big);
      // Its bytes contain the part boundary text, which must not confuse the parser.
      const tricky = Buffer.concat([Buffer.from('\r\n--DAYTONA-FILE-BOUNDARY\r\nContent-Type: text/plain\r\n\r\n'), big.subarray(0, 1000)]);
      await writeFile(join(home, 'big/two.bin'), tricky);
      const [one, two] = await sandbox.fs.downloadFiles([{ source: 'big/one.bin' }, { source: 'big/two.bin' }]);
      expect(Buffer.compare(one!.result as Buffer, big)).toBe(0);
      expect(Buffer.compare(two!.result as Buffer, tricky)).toBe(0);
      const raw = await t.request(toolbox('/files/download?path=big/one.bin'));
      expect(raw.headers.get('content-length')).toBe(String(big.length));
      expect(Buffer.compare(Buffer.from(await raw.arrayBuffer()), big)).toBe(0);
    });

    it('round-trips file names with spaces, quotes and non-ASCII characters', async () => {
      const name = 'names/ünï "quoted" & spaced (1) 50%+it\'s.txt';
      await sandbox.fs.uploadFile(Buffer.from('odd'), name);
      expect((await sandbox.fs.downloadFile(name)).toString()).toBe('odd');
      expect(await sandbox.fs.getFileDetails(name)).toMatchObject({ name: 'ünï "quoted" & spaced (1) 50%+it\'s.txt', size: 3 });
      expect((await sandbox.fs.searchFiles('names', '*50%+*')).files).toEqual([`/home/daytona/${name}`]);
      const [result] = await sandbox.fs.downloadFiles([{ source: `/home/daytona/${name}` }]);
      expect(result!.result?.toString()).toBe('odd');
    });

    it('serves raw GET /files/download and POST /files/upload-v2', async () => {
      const download = await t.request(toolbox('/files/download?path=up/buffer.txt'));
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('application/octet-stream');
      expect(download.headers.get('content-disposition')).toContain('buffer.txt');
      expect(await download.text()).toBe('hello buffer\n');

      const form = new FormData();
      form.append('file', new Blob(['via v2']), 'ignored-name.txt');
      const upload = await t.request(toolbox(`/files/upload-v2?path=${encodeURIComponent('v2/new folder/x.md')}`), {
        method: 'POST',
        body: form,
      });
      expect(upload.status).toBe(200);
      expect(await upload.json()).toEqual({ name: 'x.md', path: '/home/daytona/v2/new folder/x.md', type: 'text/markdown' });
      expect(await readFile(join(home, 'v2/new folder/x.md'), 'utf8')).toBe('via v2');

      const missing = await t.request(toolbox('/files/download?path=v2/nope'));
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ code: 'FILE_NOT_FOUND', source: 'DAYTONA_DAEMON' });
      const folder = await t.request(toolbox('/files/download?path=v2'));
      expect(folder.status).toBe(400);
    });

    it('refuses an upload larger than maxUploadBytes with 413, leaving no partial file and an existing file unchanged', async () => {
      await sandbox.fs.uploadFile(Buffer.from('keep me'), 'limits/existing.txt');
      const big = Buffer.alloc(MAX_UPLOAD + 1, 0x61);

      const overwrite = await rejection(sandbox.fs.uploadFile(big, 'limits/existing.txt'));
      expect(overwrite.statusCode).toBe(413);
      expect(overwrite.message).toMatch(/limit/);
      expect(await readFile(join(home, 'limits/existing.txt'), 'utf8')).toBe('keep me');

      const fresh = await rejection(sandbox.fs.uploadFile(big, 'limits/fresh.txt'));
      expect(fresh.statusCode).toBe(413);
      await expect(stat(join(home, 'limits/fresh.txt'))).rejects.toMatchObject({ code: 'ENOENT' });

      // The limit is per request: a small file in the same request is not committed either.
      const mixed = await rejection(
        sandbox.fs.uploadFiles([
          { source: Buffer.from('small'), destination: 'limits/small.txt' },
          { source: big, destination: 'limits/big.txt' },
        ]),
      );
      expect(mixed.statusCode).toBe(413);
      await expect(stat(join(home, 'limits/small.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await uploadTemps(home)).toEqual([]);

      const v2 = await t.request(toolbox('/files/upload-v2?path=limits/v2.bin'), {
        method: 'POST',
        body: (() => {
          const f = new FormData();
          f.append('file', new Blob([big]), 'v2.bin');
          return f;
        })(),
      });
      expect(v2.status).toBe(413);
      await expect(stat(join(home, 'limits/v2.bin'))).rejects.toMatchObject({ code: 'ENOENT' });

      // Exactly at the limit is fine.
      await sandbox.fs.uploadFile(Buffer.alloc(MAX_UPLOAD, 0x62), 'limits/exact.bin');
      expect((await stat(join(home, 'limits/exact.bin'))).size).toBe(MAX_UPLOAD);
    });

    it('keeps the previous content and leaves no temp file when an SDK stream upload is aborted mid-stream', async () => {
      await sandbox.fs.uploadFile(Buffer.from('original'), 'aborted/file.txt');
      const controller = new AbortController();
      const source = new Readable({ read() {} });
      source.push(Buffer.alloc(64 * 1024, 0x7a));
      const upload = sandbox.fs.uploadFileStream(source, 'aborted/file.txt', { signal: controller.signal });
      // The server is mid-stream once its temp file exists.
      await expect.poll(() => uploadTemps(join(home, 'aborted')), { timeout: 10_000 }).toHaveLength(1);
      controller.abort();
      await expect(upload).rejects.toThrow(/cancel/i);
      await expect.poll(() => uploadTemps(home), { timeout: 10_000 }).toEqual([]);
      expect(await readFile(join(home, 'aborted/file.txt'), 'utf8')).toBe('original');
    });

    it('keeps the previous content when the client connection drops mid-stream (raw HTTP)', async () => {
      const url = new URL(`${t.provider.apiUrl.replace(/\/api$/, '')}${toolbox('/files/bulk-upload')}`);
      const boundary = 'raw-boundary-1234';
      const req = httpRequest(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.provider.apiKey}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      req.on('error', () => {});
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="files[0].path"\r\n\r\naborted/file.txt\r\n`);
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="files[0].file"; filename="file.txt"\r\n\r\n`);
      req.write(Buffer.alloc(32 * 1024, 0x79));
      await expect.poll(() => uploadTemps(join(home, 'aborted')), { timeout: 10_000 }).toHaveLength(1);
      req.destroy();
      await expect.poll(() => uploadTemps(home), { timeout: 10_000 }).toEqual([]);
      expect(await readFile(join(home, 'aborted/file.txt'), 'utf8')).toBe('original');
    });

    it('answers a bulk upload with per-file errors: a 403 when every file was refused, a 400 listing them otherwise', async () => {
      const denied = await rejection(sandbox.fs.uploadFile(Buffer.from('x'), '/usr/escape.txt'));
      expect(denied).toBeInstanceOf(DaytonaFileAccessDeniedError);
      expect(denied.statusCode).toBe(403);

      const form = new FormData();
      form.append('files[0].path', 'partial/ok.txt');
      form.append('files[0].file', new Blob(['ok']), 'ok.txt');
      form.append('files[1].path', '/etc/evil.txt');
      form.append('files[1].file', new Blob(['evil']), 'evil.txt');
      form.append('files[2].file', new Blob(['orphan']), 'orphan.txt');
      const response = await t.request(toolbox('/files/bulk-upload'), { method: 'POST', body: form });
      expect(response.status).toBe(400);
      const body = await response.json();
      expect(body).toMatchObject({ source: 'DAYTONA_DAEMON', files: [{ path: '/home/daytona/partial/ok.txt', bytes: 2 }] });
      expect(body.errors).toHaveLength(2);
      expect(body.errors.join('\n')).toMatch(/\/etc\/evil\.txt.*(outside the sandbox|read-only)/);
      expect(body.errors.join('\n')).toMatch(/files\[2\]\.path/);
      expect(await readFile(join(home, 'partial/ok.txt'), 'utf8')).toBe('ok');

      const onFolders = await t.request(toolbox('/files/bulk-upload'), {
        method: 'POST',
        body: (() => {
          const f = new FormData();
          for (const [i, path] of ['~', '/tmp', 'partial'].entries()) {
            f.append(`files[${i}].path`, path);
            f.append(`files[${i}].file`, new Blob(['x']), 'x');
          }
          return f;
        })(),
      });
      expect(onFolders.status).toBe(400);
      expect((await onFolders.json()).errors).toEqual([
        expect.stringMatching(/root folders/),
        expect.stringMatching(/root folders/),
        expect.stringMatching(/partial is a folder/),
      ]);
      expect(await readFile(join(home, 'partial/ok.txt'), 'utf8')).toBe('ok');
      expect(await uploadTemps(home)).toEqual([]);

      const notMultipart = await t.request(toolbox('/files/bulk-upload'), {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(notMultipart.status).toBe(400);
      expect((await notMultipart.json()).message).toMatch(/multipart/);
    });
  });

  describe('listing, info, folders, move and delete', () => {
    beforeAll(async () => {
      await sandbox.fs.uploadFiles([
        { source: Buffer.from('1'), destination: 'tree/one.txt' },
        { source: Buffer.from('22'), destination: 'tree/sub/two.txt' },
        { source: Buffer.from('333'), destination: 'tree/sub/deeper/three.txt' },
      ]);
    });

    it('lists a folder at depth 1 and deeper, with full sandbox paths', async () => {
      const flat = await sandbox.fs.listFiles('tree');
      expect(flat.map((f) => [f.name, f.isDir, f.path])).toEqual([
        ['one.txt', false, '/home/daytona/tree/one.txt'],
        ['sub', true, '/home/daytona/tree/sub'],
      ]);
      const two = await sandbox.fs.listFiles('/home/daytona/tree', { depth: 2 });
      expect(two.map((f) => f.path)).toEqual([
        '/home/daytona/tree/one.txt',
        '/home/daytona/tree/sub',
        '/home/daytona/tree/sub/deeper',
        '/home/daytona/tree/sub/two.txt',
      ]);
      const all = await sandbox.fs.listFiles('tree', { depth: 10 });
      expect(all.map((f) => f.path)).toContain('/home/daytona/tree/sub/deeper/three.txt');
      expect(all.find((f) => f.name === 'three.txt')?.size).toBe(3);

      const root = await sandbox.fs.listFiles('/home/daytona');
      expect(root.map((f) => f.name)).toContain('tree');
      const bad = await t.request(toolbox('/files?path=tree&depth=0'));
      expect(bad.status).toBe(400);
      const onFile = await rejection(sandbox.fs.listFiles('tree/one.txt'));
      expect(onFile.statusCode).toBe(400);
      expect(await rejection(sandbox.fs.listFiles('no-such-dir'))).toBeInstanceOf(DaytonaFileNotFoundError);
    });

    it('gives file details: size, isDir, mode and permissions, owner', async () => {
      const file = await sandbox.fs.getFileDetails('tree/sub/two.txt');
      expect(file).toMatchObject({
        name: 'two.txt',
        path: '/home/daytona/tree/sub/two.txt',
        isDir: false,
        size: 2,
        permissions: '0644',
        mode: '-rw-r--r--',
        owner: 'daytona',
        group: 'daytona',
      });
      expect(Date.parse(file.modifiedAt)).not.toBeNaN();
      const dir = await sandbox.fs.getFileDetails('/home/daytona/tree');
      expect(dir).toMatchObject({ name: 'tree', isDir: true, permissions: '0755', mode: 'drwxr-xr-x' });
      // A sticky folder: Go reports the type letter in `mode` and only the permission bits in `permissions`.
      expect((await sandbox.process.executeCommand('mkdir -m 1777 sticky')).exitCode).toBe(0);
      expect(await sandbox.fs.getFileDetails('sticky')).toMatchObject({ isDir: true, permissions: '0777', mode: 'dtrwxrwxrwx' });
      const missing = await rejection(sandbox.fs.getFileDetails('tree/nope'));
      expect(missing).toBeInstanceOf(DaytonaFileNotFoundError);
      expect(missing.statusCode).toBe(404);
    });

    it('creates a folder with the given mode, including missing parents', async () => {
      await sandbox.fs.createFolder('made/private', '700');
      expect((await sandbox.fs.getFileDetails('made/private')).permissions).toBe('0700');
      expect((await stat(join(home, 'made/private'))).mode & 0o777).toBe(0o700);
      await sandbox.fs.createFolder('made/private', '0750');
      expect((await stat(join(home, 'made/private'))).mode & 0o777).toBe(0o750);
      await expect(sandbox.fs.createFolder('made/bad', '999')).rejects.toMatchObject({ statusCode: 400 });
      await expect(sandbox.fs.createFolder('tree/one.txt', '755')).rejects.toBeInstanceOf(DaytonaConflictError);
    });

    it('moves and renames files and folders', async () => {
      await sandbox.fs.uploadFile(Buffer.from('moving'), 'mv/src.txt');
      await sandbox.fs.moveFiles('mv/src.txt', 'mv/dst.txt');
      expect((await sandbox.fs.downloadFile('mv/dst.txt')).toString()).toBe('moving');
      await expect(sandbox.fs.getFileDetails('mv/src.txt')).rejects.toBeInstanceOf(DaytonaFileNotFoundError);
      await sandbox.fs.moveFiles('/home/daytona/mv', '/tmp/mv-moved');
      expect((await sandbox.fs.downloadFile('/tmp/mv-moved/dst.txt')).toString()).toBe('moving');
      await expect(sandbox.fs.moveFiles('mv/gone', 'mv/else')).rejects.toBeInstanceOf(DaytonaFileNotFoundError);
      await expect(sandbox.fs.moveFiles('/tmp/mv-moved', '/etc/moved')).rejects.toBeInstanceOf(DaytonaFileAccessDeniedError);
      await expect(sandbox.fs.moveFiles('/home/daytona', 'elsewhere')).rejects.toMatchObject({ statusCode: 400 });
      await expect(sandbox.fs.moveFiles('/tmp/mv-moved', '/tmp/mv-moved/inside')).rejects.toMatchObject({ statusCode: 400 });
    });

    it('deletes a file, refuses a folder without recursive, deletes it with recursive', async () => {
      await sandbox.fs.uploadFiles([
        { source: Buffer.from('x'), destination: 'del/file.txt' },
        { source: Buffer.from('y'), destination: 'del/folder/inner/y.txt' },
      ]);
      await sandbox.fs.deleteFile('del/file.txt');
      await expect(stat(join(home, 'del/file.txt'))).rejects.toMatchObject({ code: 'ENOENT' });

      const refused = await rejection(sandbox.fs.deleteFile('del/folder'));
      expect(refused.statusCode).toBe(400);
      expect(refused.message).toMatch(/recursive/);
      expect((await stat(join(home, 'del/folder/inner/y.txt'))).isFile()).toBe(true);

      await sandbox.fs.deleteFile('del/folder', true);
      await expect(stat(join(home, 'del/folder'))).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(sandbox.fs.deleteFile('del/folder')).rejects.toBeInstanceOf(DaytonaFileNotFoundError);
      await expect(sandbox.fs.deleteFile('/home/daytona', true)).rejects.toMatchObject({ statusCode: 400 });
      await expect(sandbox.fs.deleteFile('/tmp', true)).rejects.toMatchObject({ statusCode: 400 });
    });
  });

  describe('find, search, replace and permissions', () => {
    beforeAll(async () => {
      await sandbox.fs.uploadFiles([
        { source: Buffer.from('const a = 1; // TODO: first\nplain line\r\nTODO second\n'), destination: 'src/a.ts' },
        { source: Buffer.from('no match here\n'), destination: 'src/b.ts' },
        { source: Buffer.from('# TODO docs\n'), destination: 'src/docs/readme.md' },
        { source: Buffer.from('deep TODO\n'), destination: 'src/lib/util/c.ts' },
        { source: Buffer.from([0x54, 0x4f, 0x44, 0x4f, 0x00, 0x01]), destination: 'src/binary.bin' },
        { source: Buffer.from('a.b literal\naxb not literal\n'), destination: 'src/dots.txt' },
      ]);
    });

    it('finds text in files (literal, line numbers, skipping binary files)', async () => {
      const matches = await sandbox.fs.findFiles('src', 'TODO');
      const sorted = [...matches].sort((x, y) => `${x.file}:${x.line}`.localeCompare(`${y.file}:${y.line}`));
      expect(sorted).toEqual([
        { file: '/home/daytona/src/a.ts', line: 1, content: 'const a = 1; // TODO: first' },
        { file: '/home/daytona/src/a.ts', line: 3, content: 'TODO second' },
        { file: '/home/daytona/src/docs/readme.md', line: 1, content: '# TODO docs' },
        { file: '/home/daytona/src/lib/util/c.ts', line: 1, content: 'deep TODO' },
      ]);
      expect(await sandbox.fs.findFiles('src', 'a.b')).toEqual([{ file: '/home/daytona/src/dots.txt', line: 1, content: 'a.b literal' }]);
      expect(await sandbox.fs.findFiles('src/a.ts', 'second')).toEqual([
        { file: '/home/daytona/src/a.ts', line: 3, content: 'TODO second' },
      ]);
      expect(await sandbox.fs.findFiles('src', 'nothing-like-this')).toEqual([]);
      await expect(sandbox.fs.findFiles('missing-dir', 'x')).rejects.toBeInstanceOf(DaytonaFileNotFoundError);
    });

    it('searches file names by glob', async () => {
      const ts = (await sandbox.fs.searchFiles('src', '*.ts')).files.sort();
      expect(ts).toEqual(['/home/daytona/src/a.ts', '/home/daytona/src/b.ts', '/home/daytona/src/lib/util/c.ts']);
      expect((await sandbox.fs.searchFiles('/home/daytona/src', 'lib/**/*.ts')).files).toEqual(['/home/daytona/src/lib/util/c.ts']);
      expect((await sandbox.fs.searchFiles('src', '*.{md,bin}')).files.sort()).toEqual([
        '/home/daytona/src/binary.bin',
        '/home/daytona/src/docs/readme.md',
      ]);
      expect((await sandbox.fs.searchFiles('src', '?.ts')).files.sort()).toEqual([
        '/home/daytona/src/a.ts',
        '/home/daytona/src/b.ts',
        '/home/daytona/src/lib/util/c.ts',
      ]);
      expect((await sandbox.fs.searchFiles('src', '*.nothing')).files).toEqual([]);
      const noPattern = await t.request(toolbox('/files/search?path=src'));
      expect(noPattern.status).toBe(400);
    });

    it('replaces text in files, reporting per-file results', async () => {
      await sandbox.fs.uploadFiles([
        { source: Buffer.from('"version": "1.0.0" and "version": "1.0.0"'), destination: 'rep/one.json' },
        { source: Buffer.from('untouched'), destination: 'rep/two.txt' },
        { source: Buffer.from([0xff, 0xfe, 0x41, 0x42, 0x00, 0x80]), destination: 'rep/bin.dat' },
      ]);
      const results = await sandbox.fs.replaceInFiles(
        ['rep/one.json', 'rep/two.txt', 'rep/missing.txt', '/etc/hostname', 'rep/bin.dat'],
        '1.0.0',
        '1.1.0',
      );
      expect(results.map((r) => [r.file, r.success])).toEqual([
        ['rep/one.json', true],
        ['rep/two.txt', true],
        ['rep/missing.txt', false],
        ['/etc/hostname', false],
        ['rep/bin.dat', true],
      ]);
      expect(results[2]!.error).toMatch(/not found/i);
      expect(results[3]!.error).toMatch(/outside the sandbox|Permission denied/);
      expect(await readFile(join(home, 'rep/one.json'), 'utf8')).toBe('"version": "1.1.0" and "version": "1.1.0"');
      expect(await readFile(join(home, 'rep/two.txt'), 'utf8')).toBe('untouched');
      // Bytes that are not UTF-8 survive a replace untouched.
      expect([...(await readFile(join(home, 'rep/bin.dat')))]).toEqual([0xff, 0xfe, 0x41, 0x42, 0x00, 0x80]);
      await sandbox.fs.replaceInFiles(['rep/bin.dat'], 'AB', 'C');
      expect([...(await readFile(join(home, 'rep/bin.dat')))]).toEqual([0xff, 0xfe, 0x43, 0x00, 0x80]);

      // A file too big to hold in memory is refused with advice, not read (sparse, so cheap to make).
      await writeFile(join(home, 'rep/huge.log'), '');
      await truncate(join(home, 'rep/huge.log'), 65 * 1024 * 1024);
      const [huge] = await sandbox.fs.replaceInFiles(['rep/huge.log'], 'a', 'b');
      expect(huge).toMatchObject({ success: false, error: expect.stringMatching(/larger than 64 MiB.*sed/) });
    });

    it('sets the mode; an owner or group other than daytona is refused with a clear message', async () => {
      await sandbox.fs.uploadFile(Buffer.from('#!/bin/sh\necho hi\n'), 'perm/run.sh');
      await sandbox.fs.setFilePermissions('perm/run.sh', { mode: '755' });
      expect((await stat(join(home, 'perm/run.sh'))).mode & 0o777).toBe(0o755);
      expect((await sandbox.fs.getFileDetails('perm/run.sh')).permissions).toBe('0755');
      await sandbox.fs.setFilePermissions('perm/run.sh', { owner: 'daytona', group: 'daytona', mode: '0700' });
      expect((await stat(join(home, 'perm/run.sh'))).mode & 0o777).toBe(0o700);

      const root = await rejection(sandbox.fs.setFilePermissions('perm/run.sh', { owner: 'root', mode: '777' }));
      expect(root.statusCode).toBe(400);
      expect(root.message).toMatch(/only .*daytona/i);
      expect(root.message).toContain("'root'");
      // Refused as a whole: the mode was not applied either.
      expect((await stat(join(home, 'perm/run.sh'))).mode & 0o777).toBe(0o700);
      await expect(sandbox.fs.setFilePermissions('perm/run.sh', { group: 'wheel' })).rejects.toMatchObject({ statusCode: 400 });
      await expect(sandbox.fs.setFilePermissions('perm/run.sh', { mode: 'rwx' })).rejects.toMatchObject({ statusCode: 400 });
      await expect(sandbox.fs.setFilePermissions('perm/nope', { mode: '644' })).rejects.toBeInstanceOf(DaytonaFileNotFoundError);
    });
  });

  // Where sandboxes are plain processes the file API reaches only their home, /tmp and volumes; under bubblewrap it
  // sees the sandbox's whole filesystem (local-fidelity-sandbox-fs.test.ts).
  describe('paths that leave the sandbox (sandboxes as plain processes)', () => {
    let t: TestProvider;
    let sandbox: Sandbox;
    let other: Sandbox;
    const toolbox = (path: string) => `/toolbox/${sandbox.id}${path}`;
    beforeAll(async () => {
      t = await startPlainTestProvider(dataDir ? { dataDir: join(dataDir, 'plain') } : {});
      sandbox = await t.daytona.create({ name: 'plain-main' });
      other = await t.daytona.create({ name: 'plain-other' });
      await sandbox.fs.uploadFile(Buffer.from('hello buffer\n'), 'up/buffer.txt');
    });
    afterAll(async () => {
      await t?.stop();
    });

    const escaping = [
      '../escape.txt',
      '../../../../etc/passwd',
      '/etc/passwd',
      '/root',
      '/home/daytona/../../etc/passwd',
      '/home/daytonax/file',
      '/',
      '~/../x',
    ];

    it.each(escaping)('refuses %s with 403 FILE_ACCESS_DENIED and the typed SDK error', async (path) => {
      const error = await rejection(sandbox.fs.getFileDetails(path));
      expect(error).toBeInstanceOf(DaytonaFileAccessDeniedError);
      expect(error.statusCode).toBe(403);
      expect(error.message).toMatch(/outside the sandbox/);
      const raw = await t.request(toolbox(`/files/info?path=${encodeURIComponent(path)}`));
      expect(raw.status).toBe(403);
      expect(await raw.json()).toMatchObject({ statusCode: 403, code: 'FILE_ACCESS_DENIED', source: 'DAYTONA_DAEMON' });
    });

    it('refuses every files operation on /etc and /root', async () => {
      const denied = (promise: Promise<unknown>) => expect(promise).rejects.toBeInstanceOf(DaytonaFileAccessDeniedError);
      await denied(sandbox.fs.downloadFile('/etc/passwd'));
      await denied(sandbox.fs.listFiles('/root'));
      await denied(sandbox.fs.listFiles('/etc'));
      await denied(sandbox.fs.uploadFile(Buffer.from('x'), '/root/x.txt'));
      await denied(sandbox.fs.createFolder('/root/newdir', '755'));
      await denied(sandbox.fs.deleteFile('/etc/hostname'));
      await denied(sandbox.fs.moveFiles('/etc/hostname', 'stolen'));
      await denied(sandbox.fs.findFiles('/etc', 'root'));
      await denied(sandbox.fs.searchFiles('/etc', '*'));
      await denied(sandbox.fs.setFilePermissions('/etc/passwd', { mode: '777' }));
      const raw = await t.request(toolbox('/files/download?path=/etc/passwd'));
      expect(raw.status).toBe(403);
    });

    it('refuses reads and writes through a symlink made inside the sandbox that points at the host', async () => {
      const made = await sandbox.process.executeCommand(
        'ln -s /etc ./etc-link && ln -s /etc/passwd ./passwd-link && ln -s . ./self-link && ls -l',
      );
      expect(made.exitCode).toBe(0);
      const denied = (promise: Promise<unknown>) => expect(promise).rejects.toBeInstanceOf(DaytonaFileAccessDeniedError);
      await denied(sandbox.fs.downloadFile('etc-link/passwd'));
      await denied(sandbox.fs.downloadFile('passwd-link'));
      await denied(sandbox.fs.getFileDetails('etc-link/hostname'));
      await denied(sandbox.fs.listFiles('etc-link'));
      await denied(sandbox.fs.findFiles('etc-link', 'root'));
      const [replaced] = await sandbox.fs.replaceInFiles(['passwd-link', 'etc-link/hostname'], 'root', 'toor');
      expect(replaced).toMatchObject({ file: 'passwd-link', success: false, error: expect.stringMatching(/outside the sandbox/) });
      const [bulk] = await sandbox.fs.downloadFiles([{ source: 'etc-link/passwd' }]);
      expect(bulk!.errorDetails).toMatchObject({ statusCode: 403, code: 'FILE_ACCESS_DENIED' });
      const raw = await t.request(toolbox('/files/download?path=passwd-link'));
      expect(raw.status).toBe(403);

      // A symlink that stays inside works, and deleting an escaping link removes only the link.
      expect((await sandbox.fs.downloadFile('self-link/up/buffer.txt')).toString()).toBe('hello buffer\n');
      const listed = await sandbox.fs.listFiles('.');
      expect(listed.find((f) => f.name === 'etc-link')).toMatchObject({ isDir: false, mode: 'Lrwxrwxrwx' });
      await sandbox.fs.deleteFile('etc-link');
      expect((await sandbox.process.executeCommand('test -e etc-link || echo gone; test -f /etc/passwd && echo kept')).result).toMatch(
        /gone\s+kept/,
      );
    });

    it(
      "refuses a symlink to another sandbox's host folder, for reads and writes",
      skipWhen(!DATA_PARENT && 'needs /var/tmp for the data folder, and there is none'),
      async () => {
        const otherHome = t.provider.service.dirsOf(other.id).home;
        await other.fs.uploadFile(Buffer.from('secret of other'), 'secret.txt');
        const made = await sandbox.process.executeCommand(
          `ln -s '${otherHome}' ./other-link && ln -s '${otherHome}/secret.txt' ./other-secret`,
        );
        expect(made.exitCode).toBe(0);
        const denied = (promise: Promise<unknown>) => expect(promise).rejects.toBeInstanceOf(DaytonaFileAccessDeniedError);
        await denied(sandbox.fs.downloadFile('other-link/secret.txt'));
        await denied(sandbox.fs.downloadFile('other-secret'));
        await denied(sandbox.fs.uploadFile(Buffer.from('planted'), 'other-link/planted.txt'));
        await denied(sandbox.fs.uploadFile(Buffer.from('overwritten'), 'other-secret'));
        await denied(sandbox.fs.createFolder('other-link/newdir', '755'));
        await denied(sandbox.fs.moveFiles('up/buffer.txt', 'other-link/moved.txt'));
        await denied(sandbox.fs.setFilePermissions('other-secret', { mode: '777' }));
        await denied(sandbox.fs.deleteFile('other-link/secret.txt'));
        const form = new FormData();
        form.append('file', new Blob(['v2 planted']), 'x');
        const v2 = await t.request(toolbox('/files/upload-v2?path=other-link/v2.txt'), { method: 'POST', body: form });
        expect(v2.status).toBe(403);

        expect(await readdir(otherHome)).toEqual(['secret.txt']);
        expect(await readFile(join(otherHome, 'secret.txt'), 'utf8')).toBe('secret of other');
        expect((await stat(join(otherHome, 'secret.txt'))).mode & 0o777).toBe(0o644);
        expect((await sandbox.fs.downloadFile('up/buffer.txt')).toString()).toBe('hello buffer\n');
      },
    );

    it("with the data folder under /tmp, a link to another sandbox's host path names the sandbox's own /tmp: nothing leaks", async (ctx) => {
      const t2 = await startTestProvider();
      try {
        const a = await t2.daytona.create({ name: 'tmp-a' });
        const b = await t2.daytona.create({ name: 'tmp-b' });
        const bHome = t2.provider.service.dirsOf(b.id).home;
        if (!bHome.startsWith('/tmp/')) skipNow(ctx, `the system temp folder is ${bHome}, not under /tmp`);
        await b.fs.uploadFile(Buffer.from('secret of b'), 'secret.txt');
        expect((await a.process.executeCommand(`ln -s '${bHome}' ./b-link`)).exitCode).toBe(0);
        // Inside sandbox a that path is in a's own /tmp, and does not exist there.
        await expect(a.fs.downloadFile('b-link/secret.txt')).rejects.toBeInstanceOf(DaytonaFileNotFoundError);
        expect((await a.process.executeCommand('cat b-link/secret.txt')).exitCode).not.toBe(0);
        await a.fs.uploadFile(Buffer.from('planted'), 'b-link/planted.txt');
        expect((await a.process.executeCommand('cat b-link/planted.txt')).result).toBe('planted');
        expect(await readdir(bHome)).toEqual(['secret.txt']);
        expect(await readFile(join(t2.provider.service.dirsOf(a.id).tmp, bHome.slice('/tmp/'.length), 'planted.txt'), 'utf8')).toBe(
          'planted',
        );
      } finally {
        await t2.stop();
      }
    });

    it('refuses a symlink loop with a 400 instead of hanging', async () => {
      await sandbox.process.executeCommand('ln -s loop-b loop-a && ln -s loop-a loop-b');
      await expect(sandbox.fs.getFileDetails('loop-a/x')).rejects.toMatchObject({ statusCode: 400 });
    });
  });

  describe('bad requests', () => {
    it('answers 400 when the path parameter is missing', async () => {
      for (const [method, path] of [
        ['GET', '/files/info'],
        ['DELETE', '/files'],
        ['POST', '/files/folder?mode=755'],
        ['GET', '/files/download'],
        ['POST', '/files/upload-v2'],
        ['POST', '/files/permissions?mode=755'],
        ['POST', '/files/move?destination=x'],
        ['POST', '/files/move?source=up'],
        ['GET', '/files/info?path='],
      ] as const) {
        const response = await t.request(toolbox(path), { method });
        expect(response.status, `${method} ${path}`).toBe(400);
        const body = await response.json();
        expect(body, `${method} ${path}`).toMatchObject({ statusCode: 400, source: 'DAYTONA_DAEMON' });
        expect(body.message).toMatch(/required|pass \?/);
      }
      const invalid = await rejection(sandbox.fs.getFileDetails(''));
      expect(invalid.statusCode).toBe(400);
      expect(invalid).toBeInstanceOf(DaytonaInvalidFilePathError);
    });

    it('answers 400 for a repeated path parameter and for bad bulk-download and replace bodies', async () => {
      expect((await t.request(toolbox('/files/info?path=a&path=b'))).status).toBe(400);
      const noPaths = await t.request(toolbox('/files/bulk-download'), {
        method: 'POST',
        body: JSON.stringify({ paths: [] }),
        headers: { 'content-type': 'application/json' },
      });
      expect(noPaths.status).toBe(400);
      const badJson = await t.request(toolbox('/files/replace'), {
        method: 'POST',
        body: '{"files":',
        headers: { 'content-type': 'application/json' },
      });
      expect(badJson.status).toBe(400);
      const noPattern = await t.request(toolbox('/files/replace'), {
        method: 'POST',
        body: JSON.stringify({ files: ['a'], pattern: '', newValue: 'x' }),
        headers: { 'content-type': 'application/json' },
      });
      expect(noPattern.status).toBe(400);
    });

    it("answers 400 telling to start the sandbox when it is stopped, as Daytona's runner (its toolbox is unreachable)", async () => {
      const stopped = await t.daytona.create({ name: 'files-stopped' });
      await stopped.stop();
      const error = await rejection(stopped.fs.listFiles('.'));
      expect(error).toBeInstanceOf(DaytonaValidationError);
      expect(error.statusCode).toBe(400);
      expect(error.message).toMatch(/is stopped: start it/);
      const upload = await rejection(stopped.fs.uploadFile(Buffer.from('x'), 'x.txt'));
      expect(upload.statusCode).toBe(400);
      await stopped.start();
      expect(await stopped.fs.listFiles('.')).toEqual([]);
    });

    it('answers 404 for an unknown sandbox', async () => {
      const response = await t.request('/toolbox/no-such-sandbox/files?path=.');
      expect(response.status).toBe(404);
    });

    it('needs the bearer token', async () => {
      const response = await t.request(toolbox('/files/info?path=up'), { auth: false });
      expect(response.status).toBe(401);
    });
  });

  it('does not hang on a named pipe: download and replace refuse it, find and search pass it by', async () => {
    expect((await sandbox.process.executeCommand('mkdir -p fifo && mkfifo fifo/pipe && echo TODO > fifo/note.txt')).exitCode).toBe(0);
    await expect(sandbox.fs.downloadFile('fifo/pipe')).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/not a regular file/),
    });
    expect((await t.request(toolbox('/files/download?path=fifo/pipe'))).status).toBe(400);
    const [replaced] = await sandbox.fs.replaceInFiles(['fifo/pipe'], 'a', 'b');
    expect(replaced).toMatchObject({ success: false, error: expect.stringMatching(/not a regular file/) });
    expect(await sandbox.fs.findFiles('fifo', 'TODO')).toEqual([{ file: '/home/daytona/fifo/note.txt', line: 1, content: 'TODO' }]);
    expect(await sandbox.fs.findFiles('fifo/pipe', 'TODO')).toEqual([]);
    expect((await sandbox.fs.searchFiles('fifo', 'p*')).files).toEqual(['/home/daytona/fifo/pipe']);
    expect(await sandbox.fs.getFileDetails('fifo/pipe')).toMatchObject({ isDir: false, mode: 'prw-r--r--' });
  });

  it('works on files a sandbox process wrote, and the sandbox sees files uploaded through the API', async () => {
    await mkdir(join(home, 'shared'), { recursive: true });
    await sandbox.fs.uploadFile(Buffer.from('from api'), 'shared/api.txt');
    const seen = await sandbox.process.executeCommand('cat shared/api.txt && printf "from process" > shared/proc.txt');
    expect(seen.result).toContain('from api');
    expect((await sandbox.fs.downloadFile('/home/daytona/shared/proc.txt')).toString()).toBe('from process');
  });
});
