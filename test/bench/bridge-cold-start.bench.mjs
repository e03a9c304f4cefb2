// Benchmark: the AI clients' stdio bridge's cold start, spawn -> initialize -> initialized -> tools/list answer,
// over raw stdio lines, with the MCP HTTP server running (the normal case), side by side in one run with:
//  - `node -e 0` (spawn to exit): Node's own floor; target: bridge p50 <= 2.0x this;
//  - mcp-remote (the common stdio-to-HTTP MCP relay, pinned in devDependencies) relaying to the same server
//    with the same bearer token; target: bridge p50 < 0.5x this;
//  - the bridge with Node's compile cache off (NODE_DISABLE_COMPILE_CACHE=1), to show what the cache is worth;
//  - the bridge with no server running (it serves the tools in its own process), for reference.
// The build (npm run build, or run-bench's) bundles the bridge into out/main/mcp/bridge/bridge.bundle.cjs.
// Rounds: BENCH_COLD_ROUNDS (default 20), cases interleaved and shuffled each round. Prints; asserts no timings.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineNote, measureSideBySide, ms, printTable, summarize } from './lib/stats.mjs';
import { waitForRuntimeFile } from './lib/runtime-file.mjs';

const CLI = fileURLToPath(new URL('../../out/main/cli.js', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../out/main/mcp/bridge/bridge.bundle.cjs', import.meta.url));
const MCP_REMOTE = fileURLToPath(new URL('../../node_modules/mcp-remote/dist/proxy.js', import.meta.url));
const ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 20);
const WARMUP = 2;
const TARGETS = { vsNode: 2.0, vsMcpRemote: 0.5 };

const home = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-cold-home-'));
const emptyHome = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-cold-empty-'));
const remoteConfig = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-cold-mcp-remote-'));
let server;

/** The parent's environment without any Daytona account, plus `extra`. */
function childEnv(extra) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('DAYTONA_')));
  return { ...env, ...extra };
}

/** Spawns `args` and times spawn -> initialize -> initialized -> tools/list answer; resolves once it exited. */
function coldStart(args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: no tools/list answer within 30 s`));
    }, 30_000);
    child.once('error', reject);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        let message;
        try {
          message = JSON.parse(line);
        } catch {
          continue; // not protocol (mcp-remote may print other lines)
        }
        if (message.id === 1) {
          child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
          child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })}\n`);
        } else if (message.id === 2) {
          const elapsed = performance.now() - started;
          clearTimeout(timer);
          const tools = message.result?.tools?.length ?? 0;
          // mcp-remote exits on stdin's end too; SIGTERM any straggler so no round waits on another's exit.
          const straggler = setTimeout(() => child.kill('SIGTERM'), 5_000);
          child.once('exit', () => {
            clearTimeout(straggler);
            resolve({ elapsed, tools });
          });
          child.stdin.end();
        }
      }
    });
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } } })}\n`,
    );
  });
}

function nodeFloor() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - started));
  });
}

try {
  console.log(await machineNote());
  if (!existsSync(BUNDLE)) console.log(`WARNING: ${BUNDLE} is missing (a tsc-only build): the bridge runs from tsc's modules.`);
  // The server needs an account to start; tools/list never calls it, so nothing listens there.
  server = spawn(process.execPath, [CLI, 'mcp', '--http'], {
    env: childEnv({ DAYTONA_TRAY_HOME: home, DAYTONA_API_URL: 'http://127.0.0.1:9/api', DAYTONA_API_KEY: 'bench-unused' }),
    stdio: 'ignore',
  });
  const info = await waitForRuntimeFile(server.pid, home);

  const toolCounts = new Map();
  const timed = (name, args, env) => async () => {
    const run = await coldStart(args, env);
    toolCounts.set(name, run.tools);
    return run.elapsed;
  };
  const samples = new Map();
  const record = (name, fn) => async () => {
    const started = performance.now();
    const elapsed = await fn();
    (samples.get(name) ?? samples.set(name, []).get(name)).push(elapsed ?? performance.now() - started);
  };
  const cases = {
    'node -e 0 (spawn to exit, the floor)': nodeFloor,
    'bridge, HTTP server running': timed('bridge', [CLI, 'bridge'], childEnv({ DAYTONA_TRAY_HOME: home })),
    'bridge, compile cache off': timed(
      'bridge (no cache)',
      [CLI, 'bridge'],
      childEnv({ DAYTONA_TRAY_HOME: home, NODE_DISABLE_COMPILE_CACHE: '1' }),
    ),
    [`mcp-remote ${info.url}, same server`]: timed(
      'mcp-remote',
      [MCP_REMOTE, info.url, '--header', `Authorization:Bearer ${info.token}`],
      childEnv({ MCP_REMOTE_CONFIG_DIR: remoteConfig }),
    ),
  };
  // measureSideBySide times each call itself; the cases report their own spawn-to-answer time instead, so the
  // harness's figures (which include waiting for the exit) are discarded.
  await measureSideBySide(Object.fromEntries(Object.entries(cases).map(([name, fn]) => [name, record(name, fn)])), {
    warmup: 0,
    iterations: WARMUP + ROUNDS,
  });
  const fallback = [];
  for (let i = 0; i < Math.min(ROUNDS, 10) + 1; i++) {
    // No server in this home and an account in the environment: the bridge serves the tools itself.
    const run = await coldStart(
      [CLI, 'bridge'],
      childEnv({ DAYTONA_TRAY_HOME: emptyHome, DAYTONA_API_URL: 'http://127.0.0.1:9/api', DAYTONA_API_KEY: 'bench-unused' }),
    );
    if (i >= 1) fallback.push(run.elapsed);
  }
  const counts = new Set(toolCounts.values());
  if (counts.size !== 1) throw new Error(`the relays listed different tool counts: ${JSON.stringify([...toolCounts])}`);

  const summaries = new Map([...samples].map(([name, values]) => [name, summarize(values.slice(WARMUP))]));
  summaries.set('bridge, no server (serves the tools in its own process)', summarize(fallback));
  const floor = summaries.get('node -e 0 (spawn to exit, the floor)');
  const bridge = summaries.get('bridge, HTTP server running');
  const remote = summaries.get(`mcp-remote ${info.url}, same server`);
  console.log(`\nbridge cold start: spawn -> initialize -> tools/list answer (${[...counts][0]} tools), ${ROUNDS} rounds (ms)`);
  printTable(
    ['case', 'n', 'p50', 'p95', 'min', 'p50 / node -e 0'],
    [...summaries].map(([name, s]) => [name, String(s.n), ms(s.p50), ms(s.p95), ms(s.min), `${(s.p50 / floor.p50).toFixed(2)}x`]),
  );
  const vsNode = bridge.p50 / floor.p50;
  const vsRemote = bridge.p50 / remote.p50;
  console.log(
    `bridge p50 / node -e 0 p50: ${vsNode.toFixed(2)}x (target <= ${TARGETS.vsNode}x): ${vsNode <= TARGETS.vsNode ? 'met' : 'NOT met'}`,
  );
  console.log(
    `bridge p50 / mcp-remote p50: ${vsRemote.toFixed(2)}x (target < ${TARGETS.vsMcpRemote}x): ${vsRemote < TARGETS.vsMcpRemote ? 'met' : 'NOT met'}`,
  );
} finally {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
  for (const dir of [home, emptyHome, remoteConfig]) await rm(dir, { recursive: true, force: true });
}
