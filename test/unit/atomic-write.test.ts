import { spawn } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeStaleTempFiles, replaceFileAtomic, writeFileAtomic } from '../../main/core/atomic-write.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BUILT_ATOMIC_WRITE = pathToFileURL(join(REPO_ROOT, 'out/main/core/atomic-write.js')).href;

/**
 * Runs writeFileAtomic in a child Node process whose fs.promises.rename SIGKILLs the process: a real crash
 * after the temp file is written and synced, before it replaces the target.
 */
function writeThenCrashBeforeRename(file: string, data: string): Promise<NodeJS.Signals | null> {
  const script = `
    import fs from 'node:fs';
    import { syncBuiltinESMExports } from 'node:module';
    fs.promises.rename = async () => { process.kill(process.pid, 'SIGKILL'); await new Promise(() => {}); };
    syncBuiltinESMExports();
    const { writeFileAtomic } = await import(${JSON.stringify(BUILT_ATOMIC_WRITE)});
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    await writeFileAtomic(${JSON.stringify(file)}, Buffer.concat(chunks));
    process.exit(0);
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'ignore', 'pipe'] });
    child.stdin.end(data);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve(signal);
    });
  });
}

describe('writeFileAtomic', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('atomic-write-');
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('writes a new file with mode 0600 by default, or the mode asked for', async () => {
    const privateFile = join(dir.path, 'state.json');
    await writeFileAtomic(privateFile, '{"a":1}');
    expect(await readFile(privateFile, 'utf8')).toBe('{"a":1}');
    expect((await stat(privateFile)).mode & 0o777).toBe(0o600);

    const shared = join(dir.path, 'shared.txt');
    await writeFileAtomic(shared, 'x', { mode: 0o644 });
    expect((await stat(shared)).mode & 0o777).toBe(0o644);
  });

  it('keeps the mode of the file it replaces', async () => {
    const file = join(dir.path, 'config.json');
    await writeFile(file, 'old');
    await chmod(file, 0o640);
    await writeFileAtomic(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    await writeFileAtomic(file, 'newer', { mode: 0o600 });
    expect((await stat(file)).mode & 0o777).toBe(0o640);
  });

  it('leaves the target whole when the rename fails, and removes its temp file', async () => {
    // A non-empty directory at the target path makes rename(2) fail for real (EISDIR/ENOTEMPTY).
    const target = join(dir.path, 'target');
    await mkdir(target);
    await writeFile(join(target, 'keep.txt'), 'kept');
    await expect(writeFileAtomic(target, 'x'.repeat(100_000))).rejects.toMatchObject({
      code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/),
    });
    expect(await readFile(join(target, 'keep.txt'), 'utf8')).toBe('kept');
    expect(await readdir(dir.path)).toEqual(['target']);
  });

  it('aborts with the target untouched when beforeRename throws (the config writer saw a concurrent save)', async () => {
    const file = join(dir.path, 'client.json');
    await writeFile(file, 'theirs');
    let sawSyncedTemp = '';
    const refusal = new Error('changed meanwhile');
    await expect(
      writeFileAtomic(file, 'ours', {
        beforeRename: async () => {
          const temp = (await readdir(dir.path)).find((name) => name.endsWith('.daytona-tray.tmp'));
          sawSyncedTemp = temp === undefined ? '' : await readFile(join(dir.path, temp), 'utf8');
          throw refusal;
        },
      }),
    ).rejects.toBe(refusal);
    expect(sawSyncedTemp).toBe('ours');
    expect(await readFile(file, 'utf8')).toBe('theirs');
    expect(await readdir(dir.path)).toEqual(['client.json']);
  });

  it('replaceFileAtomic lets a writer fill the temp file by path (a download) and keeps the mode of the file it replaces', async () => {
    const file = join(dir.path, 'download.bin');
    await writeFile(file, 'old');
    await chmod(file, 0o644);
    await replaceFileAtomic(file, (temp) => writeFile(temp, 'downloaded'));
    expect(await readFile(file, 'utf8')).toBe('downloaded');
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    await expect(replaceFileAtomic(file, () => Promise.reject(new Error('connection lost')))).rejects.toThrow('connection lost');
    expect(await readFile(file, 'utf8')).toBe('downloaded');
    expect(await readdir(dir.path)).toEqual(['download.bin']);
  });

  it('survives a crash between the temp write and the rename: the old content stays whole', async () => {
    const file = join(dir.path, 'sandbox.json');
    const old = JSON.stringify({ state: 'started', pad: 'o'.repeat(50_000) });
    await writeFileAtomic(file, old);
    const signal = await writeThenCrashBeforeRename(file, JSON.stringify({ state: 'stopped', pad: 'n'.repeat(200_000) }));
    expect(signal).toBe('SIGKILL');
    expect(await readFile(file, 'utf8')).toBe(old);
    // The crash leaves a complete-but-unused temp file; the cleanup removes it and nothing else.
    const leftovers = (await readdir(dir.path)).filter((name) => name !== 'sandbox.json');
    expect(leftovers).toHaveLength(1);
    expect(leftovers[0]).toMatch(/^\.sandbox\.json\.[0-9a-f]{12}\.daytona-tray\.tmp$/);
    await writeFile(join(dir.path, '.hidden-but-mine'), 'x');
    // The name earlier versions gave their temp files is cleaned up too.
    await writeFile(join(dir.path, '.sandbox.json.0123456789ab.tmp'), 'older crash');
    expect(await removeStaleTempFiles(dir.path)).toBe(2);
    expect((await readdir(dir.path)).sort()).toEqual(['.hidden-but-mine', 'sandbox.json']);
  });

  it('never exposes a partial file to a concurrent reader', async () => {
    const file = join(dir.path, 'big.txt');
    const a = 'a'.repeat(1_000_000);
    const b = 'b'.repeat(1_000_000);
    await writeFileAtomic(file, a);
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const content = await readFile(file, 'utf8');
        expect(content === a || content === b).toBe(true);
        reads++;
      }
    })();
    for (let i = 0; i < 10; i++) await writeFileAtomic(file, i % 2 ? a : b);
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
  });
});
