import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockHolder } from '../../main/core/file-lock.ts';
import { processAlive } from '../../main/core/process-alive.ts';
import { startLockPath } from '../../main/core/runtime-file.ts';
import { appModule, holdInChild } from '../helpers/lock-holder.ts';
import { cleanEnv, runtimeFileOf, spawnCli, textOf } from '../helpers/mcp-harness.ts';
import {
  bridgeEnv,
  closeBridgeClient,
  processesUsing,
  sharedPidIn,
  startBridgeClient,
  type BridgeClient,
} from '../helpers/shared-server.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const CLIENTS = 4;

async function runtimeFile(home: string): Promise<{ pid: number; shared?: boolean } | undefined> {
  try {
    return JSON.parse(await readFile(runtimeFileOf(home), 'utf8')) as { pid: number; shared?: boolean };
  } catch {
    return undefined;
  }
}

async function sandboxNames(client: BridgeClient): Promise<string> {
  const result = await client.client.callTool({ name: 'list_sandboxes', arguments: {} });
  expect(result.isError, textOf(result)).toBeFalsy();
  return textOf(result);
}

describe('AI clients with no tray running share one MCP server (local profile)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let clients: BridgeClient[] = [];
  let sharedPid: number;
  const ids: string[] = [];

  beforeAll(async () => {
    dir = await tempDir('daytona-tray-shared-');
    const env = bridgeEnv(dir.path);
    // All at the same instant, as when a user opens several terminals' clients at once.
    clients = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => startBridgeClient(env, dir.path, `agent-${i}`)));
  });
  afterAll(async () => {
    for (const { client, bridge } of clients) {
      await client.close().catch(() => {});
      await bridge.kill();
    }
    if (sharedPid && processAlive(sharedPid)) process.kill(sharedPid, 'SIGTERM');
    await dir?.cleanup();
  });

  it('every client creates a sandbox and lists everyone else’s, through one shared server', async () => {
    const created = await Promise.all(
      clients.map(({ client }, i) => client.callTool({ name: 'create_sandbox', arguments: { name: `agent-${i}-box` } })),
    );
    for (const result of created) {
      expect(result.isError, textOf(result)).toBeFalsy();
      ids.push((result.structuredContent as { id: string }).id);
    }
    for (const client of clients) {
      const listing = await sandboxNames(client);
      for (let i = 0; i < CLIENTS; i++) expect(listing).toContain(`agent-${i}-box`);
    }
    const pids = new Set(clients.map(({ bridge }) => sharedPidIn(bridge.stderr())));
    expect(pids.size, clients.map(({ bridge }) => bridge.stderr()).join('\n')).toBe(1);
    sharedPid = [...pids][0]!;
    expect(await runtimeFile(dir.path)).toMatchObject({ pid: sharedPid, shared: true });
    const log = await readFile(join(dir.path, 'mcp-shared.log'), 'utf8');
    expect(log.match(/listening on/g)).toHaveLength(1);
    for (const { bridge } of clients) {
      expect(bridge.stderr()).toMatch(/relaying to http:\/\/127\.0\.0\.1:\d+\/mcp/);
      expect(bridge.stderr()).not.toContain('serving the tools in this process');
      expect(bridge.stderr()).not.toContain('Daytona Tray, but');
    }
  });

  it('closing one client breaks none of the others', async () => {
    expect(await closeBridgeClient(clients[0]!)).toBe(0);
    for (let i = 1; i < CLIENTS; i++) {
      const run = await clients[i]!.client.callTool({ name: 'execute_command', arguments: { id: ids[i]!, command: `echo still-${i}` } });
      expect(textOf(run)).toContain(`still-${i}`);
      expect(await sandboxNames(clients[i]!)).toContain('agent-0-box');
    }
    expect(processAlive(sharedPid)).toBe(true);
  });

  it('once the last client closed and the grace period ended, nothing of ours is left running; the sandboxes are kept, stopped', async () => {
    for (let i = 1; i < CLIENTS; i++) expect(await closeBridgeClient(clients[i]!)).toBe(0);
    await expect.poll(() => processAlive(sharedPid), { timeout: 60_000, interval: 200 }).toBe(false);
    expect(await runtimeFile(dir.path)).toBeUndefined();
    expect(processesUsing(dir.path)).toEqual([]);
    const log = await readFile(join(dir.path, 'mcp-shared.log'), 'utf8');
    expect(log).toMatch(/no AI client has used this shared server for 2 s: exiting/);

    // A client that comes back later gets a new shared server, and finds every sandbox as a tray quit leaves it.
    const again = await startBridgeClient(bridgeEnv(dir.path), dir.path, 'returning');
    try {
      const listing = await sandboxNames(again);
      for (let i = 0; i < CLIENTS; i++) expect(listing).toMatch(new RegExp(`agent-${i}-box\\s+stopped`));
      expect(sharedPidIn(again.bridge.stderr())).not.toBe(sharedPid);
      sharedPid = sharedPidIn(again.bridge.stderr())!;
    } finally {
      await closeBridgeClient(again);
    }
    await expect.poll(() => processAlive(sharedPid), { timeout: 60_000, interval: 200 }).toBe(false);
    expect(processesUsing(dir.path)).toEqual([]);
  });
});

describe('AI clients killed outright (no goodbye to the server)', () => {
  it('free their sessions within seconds, so the shared server exits after its grace period rather than at the 1 h session expiry', async () => {
    const dir = await tempDir('daytona-tray-shared-killed-');
    const env = bridgeEnv(dir.path);
    const clients = await Promise.all([0, 1].map((i) => startBridgeClient(env, dir.path, `killed-${i}`)));
    try {
      expect(await sandboxNames(clients[0]!)).toContain('No sandboxes');
      expect(await sandboxNames(clients[1]!)).toContain('No sandboxes');
      const pid = sharedPidIn(clients[0]!.bridge.stderr())!;
      expect(sharedPidIn(clients[1]!.bridge.stderr())).toBe(pid);
      // As when a terminal is closed or the client crashes: SIGKILL, so no DELETE ever reaches the server.
      for (const { bridge } of clients) bridge.child.kill('SIGKILL');
      const gone = await expect
        .poll(() => processAlive(pid), { timeout: 45_000, interval: 200 })
        .toBe(false)
        .then(() => true)
        .catch(() => false);
      const log = await readFile(join(dir.path, 'mcp-shared.log'), 'utf8');
      expect(gone, `the shared server still runs 45 s after its clients were killed:\n${log}`).toBe(true);
      expect(log.match(/closed \(its client went away: the notification stream closed\)/g)).toHaveLength(2);
      expect(log).toMatch(/no AI client has used this shared server for 2 s: exiting/);
      expect(processesUsing(dir.path)).toEqual([]);
    } finally {
      for (const { bridge } of clients) await bridge.kill();
      await dir.cleanup();
    }
  }, 90_000);
});

describe('the grace period from the settings', () => {
  it('a shared server reads mcp.sharedGraceMinutes when the environment does not set it', async () => {
    const dir = await tempDir('daytona-tray-shared-setting-');
    await writeFile(join(dir.path, 'settings.json'), JSON.stringify({ version: 1, mcp: { sharedGraceMinutes: 0 } }));
    const client = await startBridgeClient(bridgeEnv(dir.path, { DAYTONA_TRAY_SHARED_GRACE_MS: '' }), dir.path);
    try {
      expect(await sandboxNames(client)).toContain('No sandboxes');
      const pid = sharedPidIn(client.bridge.stderr())!;
      expect(await closeBridgeClient(client)).toBe(0);
      await expect.poll(() => processAlive(pid), { timeout: 30_000, interval: 200 }).toBe(false);
      expect(await readFile(join(dir.path, 'mcp-shared.log'), 'utf8')).toMatch(/no AI client has used this shared server for 0 s: exiting/);
    } finally {
      await client.bridge.kill();
      await dir.cleanup();
    }
  });
});

describe('when a shared server cannot be started', () => {
  it('the bridge serves the tools in its own process and its log says why', async () => {
    const dir = await tempDir('daytona-tray-shared-fallback-');
    const client = await startBridgeClient(bridgeEnv(dir.path, { DAYTONA_TRAY_SHARED_GRACE_MS: 'soon' }), dir.path);
    try {
      expect(await sandboxNames(client)).toContain('No sandboxes');
      expect(client.bridge.stderr()).toContain(
        `could not start a shared MCP server (it exited (code 2) before serving; see ${join(dir.path, 'mcp-shared.log')}): serving the tools in this process`,
      );
      expect(await readFile(join(dir.path, 'mcp-shared.log'), 'utf8')).toContain(
        "DAYTONA_TRAY_SHARED_GRACE_MS must be a whole number of milliseconds (got 'soon')",
      );
    } finally {
      expect(await closeBridgeClient(client)).toBe(0);
      await dir.cleanup();
    }
  });
});

describe('mcp --http started several times at the same moment', () => {
  it('one serves and is in the runtime file; the others exit naming it', async () => {
    const dir = await tempDir('daytona-tray-mcp-race-');
    const env = cleanEnv({ DAYTONA_TRAY_HOME: dir.path, HOME: dir.path });
    const servers = Array.from({ length: 3 }, () => spawnCli(['mcp', '--http'], env, dir.path));
    try {
      const exits: ({ code: number | null; signal: NodeJS.Signals | null } | undefined)[] = servers.map(() => undefined);
      for (const [i, server] of servers.entries()) void server.exited.then((exit) => (exits[i] = exit));
      await expect.poll(() => exits.filter(Boolean).length, { timeout: 30_000 }).toBe(2);
      const running = servers.filter((_, i) => exits[i] === undefined);
      expect(running, servers.map((server) => server.stderr()).join('\n')).toHaveLength(1);
      const survivor = running[0]!.child.pid!;
      expect((await runtimeFile(dir.path))?.pid).toBe(survivor);
      for (const [i, server] of servers.entries()) {
        if (exits[i] === undefined) continue;
        expect(exits[i]).toEqual({ code: 1, signal: null });
        expect(server.stderr()).toContain(`another Daytona MCP server is already running (pid ${survivor}`);
      }
    } finally {
      await Promise.all(servers.map((server) => server.kill()));
      await dir.cleanup();
    }
  });
});

describe('mcp --http after a server was SIGKILLed while it held the start lock', () => {
  it('starts at once and serves, instead of waiting for the dead holder', async () => {
    const dir = await tempDir('daytona-tray-mcp-killed-');
    const env = cleanEnv({ DAYTONA_TRAY_HOME: dir.path, HOME: dir.path });
    const lock = startLockPath(env);
    const killed = await holdInChild(`const { acquireFileLock } = await import(${JSON.stringify(appModule('main/core/file-lock.ts'))});
      await acquireFileLock(${JSON.stringify(lock)});`);
    expect(await lockHolder(lock)).toBe(killed.pid);
    await killed.kill();
    const server = spawnCli(['mcp', '--http'], env, dir.path);
    try {
      // A live holder would keep it waiting 60 s and then exit; a dead one's lock is taken over at once.
      await expect.poll(async () => (await runtimeFile(dir.path))?.pid, { timeout: 30_000 }).toBe(server.child.pid);
      expect(processAlive(server.child.pid!), server.stderr()).toBe(true);
    } finally {
      await server.kill();
      await dir.cleanup();
    }
  });
});
