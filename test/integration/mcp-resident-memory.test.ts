import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpPinger } from '../../main/core/supervisor/mcp-ping.ts';
import { cleanEnv, spawnCli, waitForRuntimeFile } from '../helpers/mcp-harness.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

// V8's %GetOptimizationStatus bit for "this function runs optimized code" (Maglev or TurboFan).
const OPTIMIZED = 1 << 4;

// Loaded with --import before the CLI. On SIGUSR2 it makes one function hot (enough rounds for Maglev, then
// TurboFan, to take it up when they are on) and writes the function's optimization status to PROBE_OUT.
const TIER_PROBE = `import { writeFileSync } from 'node:fs';
function hot(n) { let sum = 0; for (let i = 0; i < n; i++) sum += i * 2; return sum; }
process.once('SIGUSR2', async () => {
  let status = 0;
  for (let round = 0; round < 200 && !(status & ${OPTIMIZED}); round++) {
    for (let i = 0; i < 1000; i++) hot(200);
    status = %GetOptimizationStatus(hot);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  writeFileSync(process.env.PROBE_OUT, String(status));
});
`;

// A plain Node process that signals itself and stays until the probe has written its status.
const PLAIN_PROCESS = `process.kill(process.pid, 'SIGUSR2');
const wait = setInterval(() => { if (require('node:fs').existsSync(process.env.PROBE_OUT)) clearInterval(wait); }, 50);`;

/** main/mcp/resident-memory.ts: how the long-lived server's process is set up (docs/performance.md). */
describe('daytona-tray mcp runs for low resident memory', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let probe: string;
  let env: (out: string) => NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await tempDir('daytona-tray-mcp-resident-');
    probe = join(dir.path, 'tier-probe.mjs');
    await writeFile(probe, TIER_PROBE);
    await mkdir(join(dir.path, 'tmp'));
    env = (out) =>
      cleanEnv({
        // Never reached: the server talks to Daytona only when a tool is called.
        DAYTONA_API_URL: 'http://127.0.0.1:9/api',
        DAYTONA_API_KEY: 'not-a-key',
        DAYTONA_TRAY_HOME: dir.path,
        HOME: dir.path,
        TMPDIR: join(dir.path, 'tmp'),
        PROBE_OUT: join(dir.path, out),
        NODE_COMPILE_CACHE: undefined,
        NODE_DISABLE_COMPILE_CACHE: undefined,
      });
  });
  afterAll(async () => {
    await dir?.cleanup();
  });

  it('the probe sees V8 optimize a hot function in a plain Node process', async () => {
    const child = spawn(process.execPath, ['--allow-natives-syntax', '--import', probe, '-e', PLAIN_PROCESS], {
      env: env('plain.status'),
      stdio: 'ignore',
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(Number(await readFile(join(dir.path, 'plain.status'), 'utf8')) & OPTIMIZED).toBe(OPTIMIZED);
  });

  it('the HTTP server never optimizes the same function, and keeps no compile cache', async () => {
    const cli = spawnCli(['mcp', '--http'], env('server.status'), dir.path, ['--allow-natives-syntax', '--import', probe]);
    try {
      await waitForRuntimeFile(dir.path, cli.child.pid!, 60_000);
      cli.child.kill('SIGUSR2');
      const status = await until('the probe wrote its status', 120_000, () =>
        readFile(join(dir.path, 'server.status'), 'utf8').catch(() => ''),
      );
      expect(Number(status) & OPTIMIZED).toBe(0);
      expect(existsSync(join(dir.path, 'tmp', 'node-compile-cache'))).toBe(false);
    } finally {
      await cli.kill();
    }
  }, 240_000);

  it("trims its memory once quiet even while the tray's supervisor pings it", async () => {
    const cli = spawnCli(['mcp', '--http'], env('unused'), dir.path);
    const info = await waitForRuntimeFile(dir.path, cli.child.pid!, 60_000);
    // The supervisor's own pinger, pinging more often than the server's 10 s of quiet before a trim.
    const pinger = createMcpPinger({ url: info.url, token: info.token });
    let pings = 0;
    const pinging = setInterval(() => {
      pinger.ping(AbortSignal.timeout(20_000)).then(
        () => pings++,
        () => {},
      );
    }, 1000);
    try {
      await until('the server trimmed its memory', 120_000, () => cli.stderr().includes('idle: trimmed memory'));
      expect(pings).toBeGreaterThan(0);
    } finally {
      clearInterval(pinging);
      await pinger.close();
      await cli.kill();
    }
  }, 180_000);

  it('other commands keep using the compile cache', async () => {
    const cli = spawnCli(['--version'], env('unused'), dir.path);
    expect((await cli.exited).code).toBe(0);
    expect(existsSync(join(dir.path, 'tmp', 'node-compile-cache'))).toBe(true);
  });
});
