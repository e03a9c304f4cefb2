import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogFile } from '../../main/core/logs/log-file.ts';
import { followLog, logLook, tailLog } from '../../main/core/logs/read-log.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('the log file', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let path: string;
  beforeEach(async () => {
    dir = await tempDir('daytona-tray-log-');
    path = join(dir.path, 'logs', 'daytona-tray.log');
  });
  afterEach(() => dir.cleanup());

  it('creates its folder, appends whole lines and is readable by this user only', async () => {
    const log = createLogFile({ path });
    log.write('first');
    log.write('second\n');
    expect(await readFile(path, 'utf8')).toBe('first\nsecond\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('rotates past its size, keeps `keep` older files and drops the oldest', async () => {
    const log = createLogFile({ path, maxBytes: 40, keep: 2 });
    for (let index = 0; index < 12; index += 1) log.write(`line ${String(index).padStart(2, '0')} ........`); // 20 bytes each
    expect((await readdir(join(dir.path, 'logs'))).sort()).toEqual(['daytona-tray.log', 'daytona-tray.log.1', 'daytona-tray.log.2']);
    expect(await readFile(path, 'utf8')).toBe('line 10 ........\nline 11 ........\n');
    expect(await readFile(`${path}.2`, 'utf8')).toContain('line 06');
    // Across the files, the newest lines in order, nothing older than what was kept.
    expect(tailLog(path, 5, { keep: 2 })).toEqual([7, 8, 9, 10, 11].map((n) => `line ${String(n).padStart(2, '0')} ........`));
    expect(tailLog(path, 0)).toEqual([]);
  });

  it('a write that cannot happen reports once and never throws; it writes again once it can', async () => {
    // A folder where the file should be: no append can succeed, whoever runs the test (root included).
    await mkdir(path, { recursive: true });
    const errors: Error[] = [];
    const log = createLogFile({ path, onError: (error) => errors.push(error) });
    expect(() => log.write('a')).not.toThrow();
    expect(() => log.write('b')).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/EISDIR/);
    await rm(path, { recursive: true });
    log.write('c');
    expect(await readFile(path, 'utf8')).toBe('c\n');
  });

  it('following it sees every line written after it started, across a rotation, and stops on abort', async () => {
    const log = createLogFile({ path, maxBytes: 60, keep: 1 });
    log.write('before the follow');
    const seen: string[] = [];
    const stop = new AbortController();
    const following = followLog(path, (lines) => seen.push(...lines), { signal: stop.signal, intervalMs: 1_000_000 });
    // The look happens on abort: every line below, written between two looks, must come out in order, even
    // though the file rotated under the follower (twice the size of one file).
    for (let index = 0; index < 5; index += 1) log.write(`written ${index} .......`);
    stop.abort();
    await following;
    expect(seen).toEqual([0, 1, 2, 3, 4].map((index) => `written ${index} .......`));
    expect(await readFile(`${path}.1`, 'utf8')).toContain('written 1'); // it did rotate
  });

  it('a tail and then a follow from one look show a line written between them once, in order', async () => {
    const log = createLogFile({ path });
    log.write('already there');
    const start = { look: logLook(path) };
    log.write('written between the look and the tail');
    const seen = [...tailLog(path, 10, { upTo: start.look?.size ?? 0 })];
    const stop = new AbortController();
    const following = followLog(path, (lines) => seen.push(...lines), { signal: stop.signal, intervalMs: 1_000_000, from: start });
    stop.abort();
    await following;
    expect(seen).toEqual(['already there', 'written between the look and the tail']);
  });

  it('a follow from a look that found no file starts at its beginning', async () => {
    const start = { look: logLook(path) };
    expect(start.look).toBeUndefined();
    expect(tailLog(path, 10, { upTo: 0 })).toEqual([]);
    createLogFile({ path }).write('the first line');
    const seen: string[] = [];
    const stop = new AbortController();
    const following = followLog(path, (lines) => seen.push(...lines), { signal: stop.signal, intervalMs: 1_000_000, from: start });
    stop.abort();
    await following;
    expect(seen).toEqual(['the first line']);
  });
});
