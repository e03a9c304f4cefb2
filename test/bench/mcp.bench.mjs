// Benchmark: the MCP path an AI client takes, against the local provider, beside the floor.
//  1. execute_command through bridge -> HTTP server -> SDK, beside the same executeCommand done by the SDK
//     directly (and through the HTTP server without the bridge, and through createServer in this process with
//     no transport at all, to attribute the gap); target ratio <= 1.3. Each case's extra cost is also shown as
//     the median of its per-round difference to the SDK call of the same round (less noisy than a p50 ratio).
// The bridge's cold start is in bridge-cold-start.bench.mjs, the server's memory in mcp-memory.bench.mjs.
// The local provider runs as its own process (`daytona-tray local --json`, as the tray runs it), so the SDK-direct
// baseline crosses a process boundary just as the MCP path does. It prints figures; it asserts no timings.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Daytona } from '@daytonaio/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { silentLogger } from '../../out/main/mcp/log.js';
import { createSdkDaytona } from '../../out/main/mcp/sdk-daytona.js';
import { createServer } from '../../out/main/mcp/server.js';
import { machineNote, measureSideBySide, ms, printTable, summarize } from './lib/stats.mjs';
import { waitForRuntimeFile } from './lib/runtime-file.mjs';

const CLI = fileURLToPath(new URL('../../out/main/cli.js', import.meta.url));
// 300 rounds of ~7 ms: a p50 ratio from 100 rounds moved by +-0.04 between runs, about the size of the margin.
const EXEC_ROUNDS = Number(process.env.BENCH_MCP_EXEC_ROUNDS ?? 300);
const EXEC_WARMUP = 10;
const TARGETS = { ratio: 1.3 };
const COMMAND = 'echo hello';

const home = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-mcp-home-'));
const dataDir = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-mcp-data-'));
const children = [];
let provider;
let daytona;
const clients = [];
const disposables = [];

function childEnv(extra) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('DAYTONA_')));
  return { ...env, DAYTONA_TRAY_HOME: home, ...extra };
}

/** `daytona-tray local --json` in its own process; resolves with its API URL and key once it listens. */
async function startProviderProcess() {
  const child = spawn(process.execPath, [CLI, 'local', '--json', '--data-dir', dataDir], {
    env: childEnv({}),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(child);
  const line = await new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      if (buffer.includes('\n')) resolve(buffer.slice(0, buffer.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`daytona-tray local exited with ${code} before it was ready`)));
  });
  const { apiUrl, apiKey } = JSON.parse(line);
  const config = await (await fetch(`${apiUrl}/config`, { signal: AbortSignal.timeout(10_000) })).json();
  return { apiUrl, apiKey, pid: child.pid, isolation: config.localProvider?.isolation ?? 'unknown' };
}

try {
  console.log(await machineNote());
  provider = await startProviderProcess();
  console.log(`local provider: its own process (pid ${provider.pid}), isolation: ${provider.isolation}`);
  daytona = new Daytona({ apiUrl: provider.apiUrl, apiKey: provider.apiKey });
  const serverEnv = childEnv({ DAYTONA_API_URL: provider.apiUrl, DAYTONA_API_KEY: provider.apiKey });

  const server = spawn(process.execPath, [CLI, 'mcp', '--http'], { env: serverEnv, stdio: ['ignore', 'ignore', 'ignore'] });
  children.push(server);
  const info = await waitForRuntimeFile(server.pid, home);

  const sandbox = await daytona.create({ name: 'bench-mcp' });
  const bridgeClient = new Client({ name: 'bench-bridge', version: '0' });
  await bridgeClient.connect(
    new StdioClientTransport({ command: process.execPath, args: [CLI, 'bridge'], env: childEnv({}), stderr: 'ignore' }),
  );
  clients.push(bridgeClient);
  const httpClient = new Client({ name: 'bench-http', version: '0' });
  await httpClient.connect(
    new StreamableHTTPClientTransport(new URL(info.url), { requestInit: { headers: { authorization: `Bearer ${info.token}` } } }),
  );
  clients.push(httpClient);

  // The same server with no transport: createServer in this process over an in-memory pair.
  const port = createSdkDaytona({
    profiles: { active: async () => ({ name: 'bench', apiUrl: provider.apiUrl, apiKey: provider.apiKey }) },
    log: silentLogger,
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createServer({ daytona: port, log: silentLogger }).connect(serverSide);
  const inProcessClient = new Client({ name: 'bench-in-process', version: '0' });
  await inProcessClient.connect(clientSide);
  clients.push(inProcessClient);
  disposables.push(() => port.dispose());

  const viaMcp = (client) => async () => {
    const result = await client.callTool({ name: 'execute_command', arguments: { id: sandbox.id, command: COMMAND } });
    if (result.isError || result.structuredContent.exitCode !== 0)
      throw new Error(`execute_command failed: ${JSON.stringify(result.content)}`);
  };
  // Each case also records its time per round, so it can be set against the SDK call of the same round.
  const perRound = new Map();
  const recorded = (name, fn) => async (i) => {
    const started = performance.now();
    await fn(i);
    if (i >= EXEC_WARMUP) (perRound.get(name) ?? perRound.set(name, []).get(name))[i - EXEC_WARMUP] = performance.now() - started;
  };
  const cases = {
    'SDK executeCommand (direct)': async () => {
      const result = await sandbox.process.executeCommand(COMMAND);
      if (result.exitCode !== 0) throw new Error('executeCommand failed');
    },
    'execute_command: bridge -> HTTP server -> SDK': viaMcp(bridgeClient),
    'execute_command: HTTP server -> SDK (no bridge)': viaMcp(httpClient),
    'execute_command: createServer in-process -> SDK': viaMcp(inProcessClient),
  };
  const results = await measureSideBySide(Object.fromEntries(Object.entries(cases).map(([name, fn]) => [name, recorded(name, fn)])), {
    warmup: EXEC_WARMUP,
    iterations: EXEC_ROUNDS,
  });
  const direct = results.get('SDK executeCommand (direct)');
  const directRounds = perRound.get('SDK executeCommand (direct)');
  const pairedExtra = (name) => summarize(perRound.get(name).map((elapsed, i) => elapsed - directRounds[i])).p50;
  console.log(`\nexecute_command '${COMMAND}', ${EXEC_ROUNDS} rounds, cases interleaved (ms)`);
  printTable(
    ['case', 'p50', 'p95', 'min', 'mean', 'p50 / SDK', '+ms vs SDK (paired)'],
    [...results].map(([name, s]) => [
      name,
      ms(s.p50),
      ms(s.p95),
      ms(s.min),
      ms(s.mean),
      `${(s.p50 / direct.p50).toFixed(2)}x`,
      ms(pairedExtra(name)),
    ]),
  );
  const ratio = results.get('execute_command: bridge -> HTTP server -> SDK').p50 / direct.p50;
  console.log(
    `bridge path / SDK direct, p50: ${ratio.toFixed(2)}x (target <= ${TARGETS.ratio}x): ${ratio <= TARGETS.ratio ? 'met' : 'NOT met'}`,
  );
} finally {
  for (const client of clients) await client.close().catch(() => {});
  for (const dispose of disposables) await dispose().catch(() => {});
  for (const child of [...children].reverse()) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  await daytona?.[Symbol.asyncDispose]();
  await rm(home, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
}
