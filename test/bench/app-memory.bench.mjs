// Benchmark: the whole app's resident memory (VmRSS summed over every process it runs), idle and after a burst
// of agent calls, in two set-ups:
//  - web mode: `daytona-tray app --web` with a local profile ("Try locally" in Chromium), i.e. the app process and
//    every child it starts (MCP server, local provider, keychain worker...), plus one AI client's bridge;
//  - the CLI without the app: `daytona-tray local --json`, `daytona-tray mcp --http` on it, and one bridge.
// The burst: through the bridge, one create_sandbox, BENCH_APP_CALLS (default 50) execute_command calls, 10 more
// sessions that list the tools; then idle past the server's idle trim. The sandbox's own processes (bubblewrap,
// slirp4netns, its shell) are the workload, not the app: they are shown on their own line. Prints; asserts nothing.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { machineNote, printTable, withTimeout } from './lib/stats.mjs';

const CLI = fileURLToPath(new URL('../../out/main/cli.js', import.meta.url));
const CALLS = Number(process.env.BENCH_APP_CALLS ?? 50);
const IDLE_MS = Number(process.env.BENCH_APP_IDLE_MS ?? 15_000);
const SANDBOX_COMMANDS = /^(bwrap|slirp4netns|sh|bash|zsh|sleep|nsenter|dash)$/;

/** Every process as pid -> { ppid, name, rssMb }. */
async function processTable() {
  const table = new Map();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      const field = (name) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(status)?.[1] ?? '';
      // Ours are all `node cli.js <command>` (Node names its main thread MainThread): label them by command.
      const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0');
      const cli = argv.findIndex((arg) => arg.endsWith('cli.js'));
      table.set(Number(entry), {
        ppid: Number(field('PPid')),
        name:
          cli >= 0
            ? argv
                .slice(cli + 1, cli + 3)
                .filter((arg) => arg && !arg.startsWith('--json'))
                .join(' ')
            : field('Name'),
        rssMb: Number.parseInt(field('VmRSS') || '0', 10) / 1024,
      });
    } catch {
      /* gone */
    }
  }
  return table;
}

/** The processes under `roots` (themselves included), split into ours and the sandboxes' (by command name). */
async function treeMemory(roots) {
  const table = await processTable();
  const inTree = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, info] of table) {
      if (!inTree.has(pid) && inTree.has(info.ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  const ours = [];
  let sandboxMb = 0;
  for (const pid of inTree) {
    const info = table.get(pid);
    if (!info) continue;
    if (SANDBOX_COMMANDS.test(info.name) && !roots.includes(pid)) sandboxMb += info.rssMb;
    else ours.push(info);
  }
  return { ours, oursMb: ours.reduce((sum, p) => sum + p.rssMb, 0), sandboxMb };
}

const idle = () => new Promise((resolve) => setTimeout(resolve, IDLE_MS));

/** An AI client's bridge on `home`, as a client spawns it; resolves with the MCP client over it. */
async function bridgeClient(env) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'bridge'], env, stderr: 'ignore' });
  const client = new Client({ name: 'bench-app-memory', version: '0' });
  await client.connect(transport);
  return { client, pid: transport.pid };
}

/** The burst: a sandbox, CALLS commands in it, 10 short sessions; returns the sandbox id. */
async function burst(client, env) {
  const created = await client.callTool({ name: 'create_sandbox', arguments: { name: 'bench-app-memory' } });
  if (created.isError) throw new Error(`create_sandbox failed: ${JSON.stringify(created.content)}`);
  const id = created.structuredContent?.id ?? created.structuredContent?.sandbox?.id;
  if (!id) throw new Error(`create_sandbox returned no id: ${JSON.stringify(created.structuredContent)}`);
  for (let i = 0; i < CALLS; i++) {
    const result = await client.callTool({ name: 'execute_command', arguments: { id, command: 'echo hello' } });
    if (result.isError) throw new Error(`execute_command failed: ${JSON.stringify(result.content)}`);
  }
  for (let i = 0; i < 10; i++) {
    const session = await bridgeClient(env);
    await session.client.listTools();
    await session.client.close();
  }
  return id;
}

function row(label, tree) {
  return [
    label,
    tree.oursMb.toFixed(1),
    String(tree.ours.length),
    tree.ours.map((p) => `${p.name} ${p.rssMb.toFixed(0)}`).join(', '),
    tree.sandboxMb.toFixed(1),
  ];
}

async function webMode(rows) {
  const dir = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-app-mem-'));
  const env = {
    ...process.env,
    HOME: join(dir, 'home'),
    DAYTONA_TRAY_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'home', '.config'),
  };
  for (const name of ['DISPLAY', 'WAYLAND_DISPLAY', 'DBUS_SESSION_BUS_ADDRESS', 'DAYTONA_API_KEY', 'DAYTONA_API_URL']) delete env[name];
  await mkdir(env.HOME, { recursive: true });
  const app = spawn(process.execPath, [CLI, 'app', '--web', '--no-open', '--json'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise((resolve) => app.once('exit', resolve));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  let client;
  try {
    const link = await withTimeout(
      new Promise((resolve) => createInterface({ input: app.stdout }).once('line', (line) => resolve(JSON.parse(line).url))),
      60_000,
      'app --web start',
    );
    const page = await browser.newPage();
    await page.goto(link);
    await page.getByRole('button', { name: 'Try locally' }).click();
    await page.getByRole('button', { name: /^MCP server running on port \d+/ }).waitFor({ timeout: 60_000 });
    await page.close();
    await idle();
    rows.push(row('web mode (app --web), idle', await treeMemory([app.pid])));
    const bridge = await bridgeClient({ ...env });
    client = bridge.client;
    await burst(client, { ...env });
    await idle();
    rows.push(row(`web mode + 1 bridge, after the burst`, await treeMemory([app.pid, bridge.pid])));
  } finally {
    await client?.close().catch(() => {});
    await browser.close();
    app.kill('SIGTERM');
    await withTimeout(exited, 30_000, 'app --web stopping');
    await rm(dir, { recursive: true, force: true });
  }
}

async function cliMode(rows) {
  const dir = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-cli-mem-'));
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('DAYTONA_')));
  const env = { ...base, HOME: dir, DAYTONA_TRAY_HOME: join(dir, 'data') };
  const children = [];
  let client;
  try {
    const provider = spawn(process.execPath, [CLI, 'local', '--json', '--data-dir', join(dir, 'local')], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(provider);
    const ready = await withTimeout(
      new Promise((resolve) => createInterface({ input: provider.stdout }).once('line', (line) => resolve(JSON.parse(line)))),
      60_000,
      'local start',
    );
    const server = spawn(process.execPath, [CLI, 'mcp', '--http'], {
      env: { ...env, DAYTONA_API_URL: ready.apiUrl, DAYTONA_API_KEY: ready.apiKey },
      stdio: 'ignore',
    });
    children.push(server);
    for (const deadline = Date.now() + 30_000; ;) {
      const info = await readFile(join(env.DAYTONA_TRAY_HOME, 'mcp-server.json'), 'utf8').then(JSON.parse, () => undefined);
      if (info?.pid === server.pid) break;
      if (Date.now() > deadline) throw new Error('mcp --http wrote no runtime file within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await idle();
    rows.push(row('CLI (local + mcp --http), idle', await treeMemory([provider.pid, server.pid])));
    const bridge = await bridgeClient(env);
    client = bridge.client;
    await burst(client, env);
    await idle();
    rows.push(row('CLI + 1 bridge, after the burst', await treeMemory([provider.pid, server.pid, bridge.pid])));
  } finally {
    await client?.close().catch(() => {});
    for (const child of children.reverse()) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(await machineNote());
const rows = [];
await webMode(rows);
await cliMode(rows);
console.log(`\nthe whole app's resident memory (VmRSS summed over its processes, MB), idle ${IDLE_MS / 1000} s after each step`);
printTable(['set-up', 'app total', 'processes', 'each (MB)', "sandbox's own processes"], rows);
