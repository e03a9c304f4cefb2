// Benchmark: computer use on the local provider through the unmodified Daytona SDK, beside its floors, all in one
// run. Issue 12's figures:
// - a screenshot's round trip through the SDK (full PNG, compressed JPEG, and the window's thumbnail) beside the
//   raw capture + encode done in process (read Xvfb's memory-mapped screen, encode with sharp: what the route does
//   before HTTP), cases interleaved and shuffled each round;
// - computerUse.start() until the display accepts clients and the window manager is up, beside Xvfb alone started
//   on the host until its socket appears;
// - the memory of a running desktop (Xvfb + openbox, resident and proportional set sizes, from inside the sandbox).
// It prints figures; it asserts no timings. Rounds: BENCH_SHOT_ROUNDS, BENCH_START_ROUNDS, BENCH_DESKTOPS.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daytona } from '@daytonaio/sdk';
import { startLocalProvider } from '../../out/main/local/provider.js';
import { encodeFrame, readFrame } from '../../out/main/local/toolbox/computer-use/framebuffer.js';
import { missingDesktopPackages } from '../../out/main/local/toolbox/computer-use/desktop.js';
import { findUtility } from '../../out/main/local/sandbox-runner/probe.js';
import { machineNote, measureSideBySide, ms, printTable, ratio, summarize, withTimeout } from './lib/stats.mjs';

const SHOT_ROUNDS = Number(process.env.BENCH_SHOT_ROUNDS ?? 40);
const START_ROUNDS = Number(process.env.BENCH_START_ROUNDS ?? 10);
const DESKTOPS = Number(process.env.BENCH_DESKTOPS ?? 3);
const WARMUP = 3;
const CALL_TIMEOUT_MS = 30_000;
/** The window's thumbnail (main/app/desktop-frames.ts): 240 px wide JPEG at quality 55 of a 1024 px wide screen. */
const THUMBNAIL = { format: 'jpeg', quality: 55, scale: 240 / 1024 };
const COMPRESSED = { format: 'jpeg', quality: 85, scale: 1 };
const step = (promise, label) => withTimeout(promise, CALL_TIMEOUT_MS, label);

const missing = missingDesktopPackages();
if (missing.length > 0) {
  console.log(`computer use: skipped, the desktop packages are not installed (${missing.join(', ')}).`);
  process.exit(0);
}

const dataDir = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-cu-'));
const failures = [];
let provider;
let daytona;
try {
  provider = await step(startLocalProvider({ dataDir, warmPoolSize: 0 }), 'starting the provider');
  daytona = new Daytona({ apiUrl: provider.apiUrl, apiKey: provider.apiKey });
  console.log(await machineNote());
  console.log(`isolation: ${provider.isolation}; desktops 1024x768x24 (Xvfb + openbox)`);

  const section = async (name, work) => {
    try {
      return await work();
    } catch (error) {
      failures.push(name);
      console.error(`\n${name} FAILED: ${error instanceof Error ? error.message : error}`);
      return undefined;
    }
  };

  const sandbox = await step(daytona.create({ name: 'bench-desktop' }), 'creating a sandbox');
  await step(sandbox.computerUse.start(), 'starting its desktop');
  const framebuffer = join(provider.service.dirsOf(sandbox.id).tmp, '.daytona-desktop', 'Xvfb_screen0');
  // Something on the screen besides the background: a terminal window.
  await step(sandbox.process.executeCommand('(xterm -geometry 80x24+40+40 >/dev/null 2>&1 &) ; true'), 'opening a window');

  // ── screenshot round trip ───────────────────────────────────────────────
  await section('screenshots', async () => {
    const inProcess = async (options) => encodeFrame(await readFrame(framebuffer), { ...options, region: undefined, cursor: undefined });
    const sizes = {
      png: (await inProcess({ format: 'png', quality: 100, scale: 1 })).length,
      jpeg: (await inProcess(COMPRESSED)).length,
      thumbnail: (await inProcess(THUMBNAIL)).length,
    };
    console.log(
      `\nscreenshots: ${SHOT_ROUNDS} rounds (+${WARMUP} warm-up), cases interleaved, shuffled each round; images: PNG ${kib(sizes.png)}, JPEG q85 ${kib(sizes.jpeg)}, thumbnail ${kib(sizes.thumbnail)}`,
    );
    const results = await measureSideBySide(
      {
        'sdk: takeFullScreen() (PNG)': () => sandbox.computerUse.screenshot.takeFullScreen(),
        'sdk: takeCompressed() JPEG q85': () => sandbox.computerUse.screenshot.takeCompressed(COMPRESSED),
        "sdk: takeCompressed() the window's thumbnail": () => sandbox.computerUse.screenshot.takeCompressed(THUMBNAIL),
        'floor: read screen + encode PNG': () => inProcess({ format: 'png', quality: 100, scale: 1 }),
        'floor: read screen + encode JPEG q85': () => inProcess(COMPRESSED),
        'floor: read screen + encode thumbnail': () => inProcess(THUMBNAIL),
      },
      { warmup: WARMUP, iterations: SHOT_ROUNDS, timeoutMs: CALL_TIMEOUT_MS },
    );
    const floorOf = {
      'sdk: takeFullScreen() (PNG)': 'floor: read screen + encode PNG',
      'sdk: takeCompressed() JPEG q85': 'floor: read screen + encode JPEG q85',
      "sdk: takeCompressed() the window's thumbnail": 'floor: read screen + encode thumbnail',
    };
    printTable(
      ['case', 'p50 ms', 'p95 ms', 'min ms', 'p50 / its floor'],
      [...results].map(([name, s]) => [
        name,
        ms(s.p50),
        ms(s.p95),
        ms(s.min),
        floorOf[name] ? ratio(s.p50, results.get(floorOf[name]).p50) : '1.0x',
      ]),
    );
  });

  // ── start to a ready display ────────────────────────────────────────────
  await section('start', async () => {
    const other = await step(daytona.create({ name: 'bench-start' }), 'creating a sandbox');
    const xvfb = findUtility('Xvfb');
    // A display number of our own on the host for the floor (pid-based, so parallel runs do not collide).
    const display = 500 + (process.pid % 400);
    const floorDir = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-xvfb-'));
    const xvfbAlone = () =>
      new Promise((resolve, reject) => {
        const child = spawn(xvfb, [`:${display}`, '-screen', '0', '1024x768x24', '-fbdir', floorDir, '-nolisten', 'tcp'], {
          stdio: 'ignore',
        });
        child.once('error', reject);
        const socket = `/tmp/.X11-unix/X${display}`;
        const poll = setInterval(() => {
          if (child.exitCode !== null) {
            clearInterval(poll);
            reject(new Error(`Xvfb :${display} exited with ${child.exitCode}`));
          } else if (existsSync(socket)) {
            clearInterval(poll);
            resolve(
              () =>
                new Promise((done) => {
                  child.once('exit', () => done());
                  child.kill('SIGTERM');
                }),
            );
          }
        }, 5);
      });
    console.log(`\nstart: ${START_ROUNDS} rounds (+1 warm-up), cases interleaved; each start is followed (untimed) by a stop`);
    try {
      const results = await measureSideBySide(
        {
          'sdk: computerUse.start() (Xvfb + openbox ready)': async () => {
            await other.computerUse.start();
            return () => other.computerUse.stop();
          },
          'floor: Xvfb alone on the host, until its socket': () => xvfbAlone(),
        },
        { warmup: 1, iterations: START_ROUNDS, timeoutMs: CALL_TIMEOUT_MS },
      );
      const floor = results.get('floor: Xvfb alone on the host, until its socket');
      printTable(
        ['case', 'p50 ms', 'p95 ms', 'min ms', 'p50 / floor'],
        [...results].map(([name, s]) => [name, ms(s.p50), ms(s.p95), ms(s.min), ratio(s.p50, floor.p50)]),
      );
    } finally {
      await rm(floorDir, { recursive: true, force: true });
    }
  });

  // ── memory per running desktop ──────────────────────────────────────────
  await section('memory', async () => {
    const boxes = [sandbox];
    for (let i = 1; i < DESKTOPS; i++) {
      const box = await step(daytona.create({ name: `bench-mem-${i}` }), 'creating a sandbox');
      await step(box.computerUse.start(), 'starting its desktop');
      boxes.push(box);
    }
    // From inside each sandbox (its own processes only): resident and proportional set sizes of its desktop.
    const script =
      'for n in Xvfb openbox; do for p in $(pgrep -x $n); do ' +
      "printf \"%s %s %s\\n\" $n $(awk '/^VmRSS/{print $2}' /proc/$p/status) $(awk '/^Pss:/{print $2}' /proc/$p/smaps_rollup 2>/dev/null || echo 0); done; done";
    const rows = [];
    const totals = { rss: [], pss: [] };
    for (const box of boxes) {
      const out = (await step(box.process.executeCommand(`sh -c '${script.replace(/'/g, "'\\''")}'`), 'reading memory')).result;
      const entries = out
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' '));
      const sum = (col) => entries.reduce((total, entry) => total + Number(entry[col] ?? 0), 0);
      totals.rss.push(sum(1) / 1024);
      totals.pss.push(sum(2) / 1024);
      rows.push([
        box.name ?? box.id,
        entries.map((e) => `${e[0]} ${(Number(e[1]) / 1024).toFixed(1)}`).join(', '),
        mib(sum(1)),
        mib(sum(2)),
      ]);
    }
    console.log(`\nmemory: ${boxes.length} desktops running at once (MiB; PSS splits shared pages between the processes sharing them)`);
    printTable(['sandbox', 'RSS per process', 'RSS MiB', 'PSS MiB'], rows);
    const rss = summarize(totals.rss);
    const pss = summarize(totals.pss);
    console.log(`per running desktop: RSS p50 ${rss.p50.toFixed(1)} MiB, PSS p50 ${pss.p50.toFixed(1)} MiB`);
  });
} finally {
  await daytona?.[Symbol.asyncDispose]().catch(() => {});
  await provider?.close().catch(() => {});
  await rm(dataDir, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`\nfailed sections: ${failures.join(', ')}`);
  process.exit(1);
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

function mib(kibibytes) {
  return (kibibytes / 1024).toFixed(1);
}
