// Benchmark: resident memory of five AI clients with no tray running, before and after the shared server.
//  before: each client's bridge serves the tools in its own process (what every bridge did without a tray:
//          its own SDK and MCP server; here forced by DAYTONA_API_KEY in its environment);
//  after:  five bridges relaying to one `mcp --http --shared` server.
// Each client initializes and calls list_sandboxes twice, then the VmRSS of every process of ours is summed.
// A local provider (`daytona-tray local --json`, its own process, not counted) plays the Daytona account.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const CLI = fileURLToPath(new URL('../../out/main/cli.js', import.meta.url));
const CLIENTS = Number(process.env.BENCH_SHARED_CLIENTS ?? 5);
const children = [];

function baseEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('DAYTONA_')) env[key] = value;
  return { ...env, DAYTONA_TRAY_NO_BWRAP: '1', ...extra };
}

function rssMb(pid) {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

function firstLine(child) {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(JSON.parse(text.slice(0, text.indexOf('\n'))));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before its first line`)));
  });
}

async function clients(env) {
  const connected = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'bridge'], env, stderr: 'ignore' });
      const client = new Client({ name: `bench-${i}`, version: '0' });
      await client.connect(transport);
      for (let call = 0; call < 2; call++) {
        const result = await client.callTool({ name: 'list_sandboxes', arguments: {} });
        if (result.isError) throw new Error(JSON.stringify(result.content));
      }
      return { client, pid: transport.pid };
    }),
  );
  return connected;
}

const home = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-shared-'));
try {
  const provider = spawn(process.execPath, [CLI, 'local', '--json', '--data-dir', join(home, 'cloud')], {
    env: baseEnv({ DAYTONA_TRAY_HOME: join(home, 'provider') }),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(provider);
  const { apiUrl, apiKey } = await firstLine(provider);
  const account = { DAYTONA_API_URL: apiUrl, DAYTONA_API_KEY: apiKey };

  // Before: every bridge serves in its own process.
  const before = await clients(baseEnv({ ...account, DAYTONA_TRAY_HOME: join(home, 'before') }));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const beforeRss = before.map(({ pid }) => rssMb(pid));
  for (const { client } of before) await client.close();

  // After: one shared server for the account (as a bridge starts it for the settings' profile), five relaying bridges.
  const afterHome = join(home, 'after');
  const server = spawn(process.execPath, [CLI, 'mcp', '--http', '--json', '--shared'], {
    env: baseEnv({ ...account, DAYTONA_TRAY_HOME: afterHome }),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(server);
  await firstLine(server);
  const after = await clients(baseEnv({ DAYTONA_TRAY_HOME: afterHome }));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const afterBridges = after.map(({ pid }) => rssMb(pid));
  const serverRss = rssMb(server.pid);
  for (const { client } of after) await client.close();

  const sum = (values) => values.reduce((a, b) => a + b, 0);
  const fmt = (mb) => `${mb.toFixed(1)} MB`;
  console.log(`${CLIENTS} AI clients, resident memory (VmRSS) of our processes after 2 list_sandboxes each:`);
  console.log(`  before (each bridge serves in process): ${fmt(sum(beforeRss))} total; per bridge ${beforeRss.map(fmt).join(', ')}`);
  console.log(
    `  after (one shared server):              ${fmt(sum(afterBridges) + serverRss)} total; server ${fmt(serverRss)}, per bridge ${afterBridges.map(fmt).join(', ')}`,
  );
  console.log(`  after / before: ${((sum(afterBridges) + serverRss) / sum(beforeRss)).toFixed(2)}`);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
  await rm(home, { recursive: true, force: true });
}
