// Benchmark: the MCP HTTP server's resident memory (VmRSS), as the tray and the shared server run it
// (`daytona-tray mcp --http`), against the local provider; target <= 90 MB both:
//  - fresh: started, idle past the idle trim (main/mcp/idle-trim.ts) with no client yet;
//  - after BENCH_MCP_RSS_CALLS (default 100) execute_command calls on one session, then 10 more sessions that
//    each initialize, list the tools and close, idle past the trim again.
// Beside VmRSS: its anonymous part (heap, the code V8 compiled) and its file part (the node binary's pages,
// shared with every other Node process), and a bare `node -e` idling, the floor any Node server starts from.
// The local provider (`daytona-tray local --json`, its own process) is not counted. Prints; asserts no sizes.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Daytona } from '@daytonaio/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { machineNote, printTable } from './lib/stats.mjs';
import { waitForRuntimeFile } from './lib/runtime-file.mjs';

const CLI = fileURLToPath(new URL('../../out/main/cli.js', import.meta.url));
const RSS_CALLS = Number(process.env.BENCH_MCP_RSS_CALLS ?? 100);
const SESSIONS = 10;
// The server hands memory back after 10 s without requests (main/mcp/idle-trim.ts): wait past that.
const IDLE_MS = Number(process.env.BENCH_MCP_IDLE_MS ?? 15_000);
const TARGET_MB = 90;
const COMMAND = 'echo hello';

const dataDir = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-mem-data-'));
const children = [];
let daytona;

function childEnv(extra) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('DAYTONA_')));
  return { ...env, ...extra };
}

/** VmRSS and its anonymous and file-backed parts, in MB. */
async function memoryOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
}

/** `daytona-tray local --json` in its own process; resolves with its API URL and key once it listens. */
async function startProvider() {
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
  return JSON.parse(line);
}

const idle = () => new Promise((resolve) => setTimeout(resolve, IDLE_MS));

/** One server in its own app data dir: its memory fresh, and after the calls and sessions. */
async function serverMemory(env, sandboxId) {
  const dir = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-mem-home-'));
  const server = spawn(process.execPath, [CLI, 'mcp', '--http'], { env: { ...env, DAYTONA_TRAY_HOME: dir }, stdio: 'ignore' });
  try {
    const info = await waitForRuntimeFile(server.pid, dir);
    const connect = async () => {
      const client = new Client({ name: 'bench-memory', version: '0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(info.url), { requestInit: { headers: { authorization: `Bearer ${info.token}` } } }),
      );
      return client;
    };
    await idle();
    const fresh = await memoryOf(server.pid);
    const client = await connect();
    for (let i = 0; i < RSS_CALLS; i++) {
      const result = await client.callTool({ name: 'execute_command', arguments: { id: sandboxId, command: COMMAND } });
      if (result.isError) throw new Error(`execute_command failed: ${JSON.stringify(result.content)}`);
    }
    for (let i = 0; i < SESSIONS; i++) {
      const session = await connect();
      await session.listTools();
      await session.close();
    }
    await client.close();
    await idle();
    return { fresh, after: await memoryOf(server.pid) };
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

/** A bare Node process idling: what any Node server's resident memory starts from. */
async function nodeFloor() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    return await memoryOf(child.pid);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

try {
  console.log(await machineNote());
  const provider = await startProvider();
  daytona = new Daytona({ apiUrl: provider.apiUrl, apiKey: provider.apiKey });
  const sandbox = await daytona.create({ name: 'bench-memory' });
  const env = childEnv({ DAYTONA_API_URL: provider.apiUrl, DAYTONA_API_KEY: provider.apiKey });
  const { fresh, after } = await serverMemory(env, sandbox.id);
  const floor = await nodeFloor();
  const mb = (value) => value.toFixed(1);
  console.log(`\nMCP HTTP server resident memory, idle ${IDLE_MS / 1000} s after each step (MB)`);
  printTable(
    ['process', 'VmRSS', 'anonymous', 'file-backed'],
    [
      ['mcp --http, fresh', mb(fresh.rss), mb(fresh.anon), mb(fresh.file)],
      [`mcp --http, after ${RSS_CALLS} calls + ${SESSIONS} sessions`, mb(after.rss), mb(after.anon), mb(after.file)],
      ['node -e (idle, the floor)', mb(floor.rss), mb(floor.anon), mb(floor.file)],
    ],
  );
  const worst = Math.max(fresh.rss, after.rss);
  console.log(
    `server RSS: fresh ${mb(fresh.rss)} MB, after ${mb(after.rss)} MB (target <= ${TARGET_MB} MB both): ${worst <= TARGET_MB ? 'met' : 'NOT met'}`,
  );
  await sandbox.delete();
} finally {
  await daytona?.[Symbol.asyncDispose]();
  for (const child of [...children].reverse()) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  await rm(dataDir, { recursive: true, force: true });
}
