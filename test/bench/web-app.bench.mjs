// Benchmark: the app in web mode. Two figures, each beside a floor measured in the same run:
// - start: wall time from spawning `daytona-tray app --web --no-open --json` to the window's first state on
//   screen in Chromium (the renderer's `daytona-tray:first-render` mark), on a data dir whose local profile was
//   set up by "Try locally" in a warm-up round. Split into spawn -> link printed and link -> first state. The
//   floors: `node -e` printing one line (Node's own start), and a cold Chromium context loading an empty page.
// - a contract round-trip: getState (the real app's state as payload, taken from the started app) through the
//   same registry (schemas, trust check) in process, over the page's WebSocket from Node, and from the page
//   itself through the web preload's window.bridge; beside them a bare WebSocket echo of the same bytes.
// Needs out/ built (npm run build). Prints, asserts nothing.
// Rounds: BENCH_WEB_START_ROUNDS (default 8), BENCH_WEB_CALL_ROUNDS (default 300).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { WebSocket, WebSocketServer } from 'ws';
import { waitForMark } from './lib/page-marks.mjs';
import { machineNote, measureSideBySide, ms, printTable, ratio, summarize, withTimeout } from './lib/stats.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = (path) => new URL(`../../out/${path}`, import.meta.url).href;
const { startWebServer } = await import(out('main/web/web-server.js'));
const { createSocketBridge } = await import(out('main/web/socket-bridge.js'));
const { registerBridgeHandlers } = await import(out('main/app/ipc-registry.js'));
const { METHOD_CHANNELS, METHOD_NAMES } = await import(out('preload/contract.js'));
const { decodeWire, encodeWire } = await import(out('preload/web-wire.js'));

const START_ROUNDS = Number(process.env.BENCH_WEB_START_ROUNDS ?? 8);
const CALL_ROUNDS = Number(process.env.BENCH_WEB_CALL_ROUNDS ?? 300);
const MARK = 'daytona-tray:first-render';
const CLI = join(root, 'out', 'main', 'cli.js');

console.log(await machineNote());

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
});
const dir = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-web-'));
const env = {
  ...process.env,
  HOME: join(dir, 'home'),
  DAYTONA_TRAY_HOME: join(dir, 'data'),
  XDG_CONFIG_HOME: join(dir, 'home', '.config'),
};
for (const name of ['DISPLAY', 'WAYLAND_DISPLAY', 'DBUS_SESSION_BUS_ADDRESS', 'DAYTONA_API_KEY', 'DAYTONA_API_URL']) delete env[name];
await mkdir(env.HOME, { recursive: true });

/** Spawns the app and resolves with its link; `exit()` stops it (SIGTERM) and waits. */
function startApp() {
  const child = spawn(process.execPath, [CLI, 'app', '--web', '--no-open', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const link = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line).url));
    exited.then(() => reject(new Error(`app --web exited before printing its link: ${stderr}`)));
  });
  return {
    link,
    async exit() {
      child.kill('SIGTERM');
      await withTimeout(exited, 30_000, 'app --web stopping');
    },
  };
}

/** One start, timed: spawn -> link, and -> first state on screen in a fresh browser context. */
async function startRound(setUp) {
  const context = await browser.newContext({ viewport: { width: 380, height: 560 } });
  const t0 = performance.now();
  const app = startApp();
  try {
    const link = await withTimeout(app.link, 60_000, 'app --web start');
    const t1 = performance.now();
    const page = await context.newPage();
    await page.goto(link);
    await withTimeout(waitForMark(page, MARK), 30_000, 'the first state on screen');
    const t2 = performance.now();
    if (setUp) {
      await page.getByRole('button', { name: 'Try locally' }).click();
      await page.getByRole('button', { name: /^MCP server running on port \d+/ }).waitFor({ timeout: 60_000 });
    }
    const state = await page.evaluate(async () => (await window.bridge.getState()).value);
    return { toLink: t1 - t0, toScreen: t2 - t0, state };
  } finally {
    await context.close();
    await app.exit();
  }
}

/** Node's own start: spawn to one printed line. */
async function nodeFloor() {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', 'console.log(1)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const elapsed = performance.now() - t0;
  await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()));
  return elapsed;
}

/** A cold context loading an empty page that sets the same mark. */
const emptyPage = `data:text/html,<!doctype html><title>floor</title><p>floor</p><script>requestAnimationFrame(() => performance.mark('${MARK}'))</script>`;
async function pageFloor() {
  const context = await browser.newContext({ viewport: { width: 380, height: 560 } });
  try {
    const t0 = performance.now();
    const page = await context.newPage();
    await page.goto(emptyPage);
    await withTimeout(waitForMark(page, MARK), 30_000, 'the empty page');
    return performance.now() - t0;
  } finally {
    await context.close();
  }
}

let realState;
const starts = { toLink: [], toScreen: [], node: [], page: [] };
try {
  // Warm-up: the first run sets up the local profile ("Try locally") and fills the OS caches.
  realState = (await startRound(true)).state;
  for (let i = 0; i < START_ROUNDS; i++) {
    const round = await startRound(false);
    starts.toLink.push(round.toLink);
    starts.toScreen.push(round.toScreen);
    starts.node.push(await nodeFloor());
    starts.page.push(await pageFloor());
    realState = round.state;
  }
} catch (error) {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
  throw error;
}
const screen = summarize(starts.toScreen);
const link = summarize(starts.toLink);
const nodeStart = summarize(starts.node);
const emptyLoad = summarize(starts.page);
console.log(`\nstart: spawn of 'daytona-tray app --web' -> first state on screen, local profile, ${START_ROUNDS} rounds (ms, wall time)`);
printTable(
  ['what', 'p50', 'p95', 'min', 'x floor (p50)'],
  [
    ['spawn -> first state on screen', ms(screen.p50), ms(screen.p95), ms(screen.min), ratio(screen.p50, nodeStart.p50 + emptyLoad.p50)],
    ['  of which spawn -> link printed', ms(link.p50), ms(link.p95), ms(link.min), ratio(link.p50, nodeStart.p50)],
    ['floor: node -e, one line', ms(nodeStart.p50), ms(nodeStart.p95), ms(nodeStart.min), '-'],
    ['floor: cold context, empty page', ms(emptyLoad.p50), ms(emptyLoad.p95), ms(emptyLoad.min), '-'],
  ],
);

// ---- round-trip -------------------------------------------------------------------------------------------
const rendererDir = join(dir, 'renderer');
await mkdir(rendererDir);
// A page with no bundle (the server sends the window's policy with it): the web preload alone gives window.bridge.
await writeFile(
  join(rendererDir, 'index.html'),
  '<!doctype html><html><head></head><body><script type="module" src="./none.js"></script></body></html>',
);
await writeFile(join(rendererDir, 'none.js'), '');
const bridge = createSocketBridge({ log: () => {} });
const captured = new Map();
const port = {
  handle(channel, listener) {
    captured.set(channel, listener);
    bridge.port.handle(channel, listener);
  },
  removeHandler: (channel) => bridge.port.removeHandler(channel),
};
const handlers = Object.fromEntries(
  METHOD_NAMES.map((method) => [
    method,
    async () => (method === 'getState' ? { ok: true, value: realState } : { ok: true, value: undefined }),
  ]),
);
const inProcess = { webContentsId: -1, frameUrl: 'app://in-process/', isMainFrame: true };
registerBridgeHandlers(port, handlers, { isTrusted: (sender) => sender === inProcess || bridge.isTrusted(sender), log: () => {} });
const server = await startWebServer({
  rendererDir,
  webPreloadFile: join(root, 'out', 'web-preload', 'web-preload.js'),
  bridge,
  log: () => {},
});
const context = await browser.newContext();
const page = await context.newPage();
await page.goto(server.link());
await page.waitForFunction(() => typeof window.bridge?.getState === 'function');
const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
const socket = new WebSocket(`ws://127.0.0.1:${server.port}/bridge`, { headers: { cookie, origin: server.origin } });
await new Promise((resolve, reject) => {
  socket.once('open', resolve);
  socket.once('error', reject);
});
let callId = 0;
const invokeOverSocket = () =>
  new Promise((resolve) => {
    const id = ++callId;
    const onMessage = (data) => {
      const message = decodeWire(data.toString());
      if (message?.t === 'result' && message.id === id) {
        socket.off('message', onMessage);
        resolve(message.result);
      }
    };
    socket.on('message', onMessage);
    socket.send(encodeWire({ t: 'invoke', id, channel: METHOD_CHANNELS.getState }));
  });
// The floor: the same bytes out and back over a bare WebSocket on loopback (no registry, no app).
const echoServer = new WebSocketServer({ host: '127.0.0.1', port: 0 });
echoServer.on('connection', (ws) => ws.on('message', (data) => ws.send(data)));
await new Promise((resolve) => echoServer.once('listening', resolve));
const echo = new WebSocket(`ws://127.0.0.1:${echoServer.address().port}`);
await new Promise((resolve) => echo.once('open', resolve));
const answerBytes = encodeWire({ t: 'result', id: 1, result: { ok: true, value: realState } });
const echoOnce = () =>
  new Promise((resolve) => {
    echo.once('message', resolve);
    echo.send(answerBytes);
  });

const getStateListener = captured.get(METHOD_CHANNELS.getState);
const pageSamples = [];
const results = await measureSideBySide(
  {
    'in process (registry + schemas)': () => getStateListener(inProcess, undefined),
    'over the socket, Node client': () => invokeOverSocket(),
    'from the page (window.bridge)': async () => {
      pageSamples.push(
        await page.evaluate(async () => {
          const t0 = performance.now();
          await window.bridge.getState();
          return performance.now() - t0;
        }),
      );
    },
    'floor: bare WebSocket echo, same bytes': () => echoOnce(),
  },
  { warmup: 20, iterations: CALL_ROUNDS },
);
socket.close();
echo.close();
echoServer.close();
await context.close();
await server.close();
await browser.close();
await rm(dir, { recursive: true, force: true });

// The page's own figure is timed inside the page (Playwright's evaluate round trip is not ours).
results.set('from the page (window.bridge)', summarize(pageSamples.slice(20)));
const base = results.get('in process (registry + schemas)');
const us = (value) => (value * 1000).toFixed(0);
console.log(
  `\ncontract round-trip: getState (${(answerBytes.length / 1024).toFixed(1)} KiB of state), ${CALL_ROUNDS} rounds each, interleaved (µs)`,
);
printTable(
  ['path', 'p50', 'p95', 'min', 'x in process (p50)'],
  [...results].map(([name, s]) => [name, us(s.p50), us(s.p95), us(s.min), ratio(s.p50, base.p50)]),
);
const nodeSocket = results.get('over the socket, Node client');
console.log(
  `\nverdict: first state on screen ${ms(screen.p50)} ms after spawn (p50); a round-trip over the socket is ${ratio(nodeSocket.p50, base.p50)} the in-process call, ${us(nodeSocket.p50 - results.get('floor: bare WebSocket echo, same bytes').p50)} µs above a bare WebSocket echo`,
);
