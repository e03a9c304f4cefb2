import { spawn } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processAlive } from '../../main/core/process-alive.ts';
import { readRuntimeFile, removeRuntimeFile, runtimeFilePath, writeRuntimeFile, type RuntimeInfo } from '../../main/core/runtime-file.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('MCP runtime file', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const info = (pid: number): RuntimeInfo => ({
    version: 1,
    url: 'http://127.0.0.1:4000/mcp',
    port: 4000,
    token: 't'.repeat(43),
    pid,
    startedAt: '2026-01-01T00:00:00.000Z',
  });
  beforeEach(async () => {
    dir = await tempDir('daytona-tray-runtime-');
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('lives in the app data directory (DAYTONA_TRAY_HOME in tests)', () => {
    expect(runtimeFilePath({ DAYTONA_TRAY_HOME: dir.path })).toBe(join(dir.path, 'mcp-server.json'));
  });

  it('is written with mode 0600 (in a 0700 folder it creates) and read back', async () => {
    const file = join(dir.path, 'nested', 'mcp-server.json');
    await writeRuntimeFile(file, info(123));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir.path, 'nested'))).mode & 0o777).toBe(0o700);
    expect(await readRuntimeFile(file)).toEqual(info(123));
  });

  it('ignores a missing or malformed file instead of trusting it', async () => {
    const file = join(dir.path, 'mcp-server.json');
    expect(await readRuntimeFile(file)).toBeUndefined();
    await writeFile(file, '{"version":1,"port":"4000"}');
    expect(await readRuntimeFile(file)).toBeUndefined();
    await writeFile(file, 'not json');
    expect(await readRuntimeFile(file)).toBeUndefined();
  });

  it('is removed only by the process it describes', async () => {
    const file = join(dir.path, 'mcp-server.json');
    await writeRuntimeFile(file, info(123));
    await removeRuntimeFile(file, 456);
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(123);
    await removeRuntimeFile(file, 123);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('tells a live pid from a dead one', async () => {
    expect(processAlive(process.pid)).toBe(true);
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => child.once('exit', resolve));
    expect(processAlive(child.pid!)).toBe(false);
  });
});
