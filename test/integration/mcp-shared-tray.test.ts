import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../main/core/process-alive.ts';
import { createSettingsStore } from '../../main/core/settings/settings-store.ts';
import { startTestApp, waitUntil, type TestApp } from '../helpers/app-harness.ts';
import { runtimeFileOf, textOf } from '../helpers/mcp-harness.ts';
import {
  bridgeEnv,
  closeBridgeClient,
  processesUsing,
  sharedPidIn,
  startBridgeClient,
  type BridgeClient,
} from '../helpers/shared-server.ts';
import { tempDir } from '../helpers/temp-dir.ts';

async function listing(client: BridgeClient): Promise<string> {
  const result = await client.client.callTool({ name: 'list_sandboxes', arguments: {} });
  expect(result.isError, textOf(result)).toBeFalsy();
  return textOf(result);
}

async function runtimeInfo(dataDir: string): Promise<{ pid: number; url: string; shared?: boolean } | undefined> {
  try {
    return JSON.parse(await readFile(runtimeFileOf(dataDir), 'utf8')) as { pid: number; url: string; shared?: boolean };
  } catch {
    return undefined;
  }
}

/** The pid of our process under `dataDir` whose command line contains `marker` (a sandbox's command). */
function pidRunning(dataDir: string, marker: string): number | undefined {
  return processesUsing(dataDir).find((p) => p.cmdline.includes(marker) && !p.cmdline.includes('vitest'))?.pid;
}

async function closeAll(clients: BridgeClient[], app: TestApp | undefined, sharedPid: number | undefined): Promise<void> {
  for (const { client, bridge } of clients) {
    await client.close().catch(() => {});
    await bridge.kill();
  }
  await app?.cleanup();
  if (sharedPid && processAlive(sharedPid)) process.kill(sharedPid, 'SIGTERM');
}

describe('a tray started while AI clients share a server adopts it: their calls and sandboxes carry on, before, during and after the tray', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let dataDir: string;
  let clients: BridgeClient[] = [];
  let app: TestApp | undefined;
  let sharedPid: number;
  let sandboxId: string;
  let sleeperPid: number;

  beforeAll(async () => {
    dir = await tempDir('daytona-tray-shared-tray-');
    dataDir = join(dir.path, 'data');
    const env = bridgeEnv(dataDir);
    clients = await Promise.all([startBridgeClient(env, dir.path, 'first'), startBridgeClient(env, dir.path, 'second')]);
  });
  afterAll(async () => {
    await closeAll(clients, app, sharedPid);
    await dir?.cleanup();
  });

  it('before the tray: both clients work through one shared server; a sandbox runs a process', async () => {
    const created = await clients[0]!.client.callTool({ name: 'create_sandbox', arguments: { name: 'kept' } });
    expect(created.isError, textOf(created)).toBeFalsy();
    sandboxId = (created.structuredContent as { id: string }).id;
    const started = await clients[1]!.client.callTool({
      name: 'execute_command',
      arguments: { id: sandboxId, command: 'exec sleep 611', background: true },
    });
    expect(started.isError, textOf(started)).toBeFalsy();
    await expect.poll(() => pidRunning(dataDir, 'sleep 611'), { timeout: 20_000, interval: 100 }).toBeDefined();
    sleeperPid = pidRunning(dataDir, 'sleep 611')!;
    sharedPid = sharedPidIn(clients[0]!.bridge.stderr())!;
    expect(sharedPidIn(clients[1]!.bridge.stderr())).toBe(sharedPid);
    expect(await runtimeInfo(dataDir)).toMatchObject({ pid: sharedPid, shared: true });
  });

  it('the tray adopts the shared server: a call in flight completes, the sandbox’s process runs on, the tray sees the sandboxes', async () => {
    const url = (await runtimeInfo(dataDir))!.url;
    const relays = clients.map(({ bridge }) => bridge.stderr().split('relaying to').length);
    // A command that runs until another call, made once the tray has started, lets it finish.
    const inFlight = clients[0]!.client
      .callTool(
        {
          name: 'execute_command',
          arguments: { id: sandboxId, command: 'touch started; while [ ! -e go ]; do sleep 0.1; done; echo finished-across-the-tray' },
        },
        undefined,
        { timeout: 300_000 },
      )
      .catch((error: unknown) => error as Error);
    const hasStarted = async () =>
      textOf(await clients[1]!.client.callTool({ name: 'execute_command', arguments: { id: sandboxId, command: 'ls' } }));
    await expect.poll(hasStarted, { timeout: 20_000, interval: 100 }).toContain('started');

    app = await startTestApp({ minuteMs: 60_000, home: dir.path });
    const tray = app;
    await waitUntil(() => tray.supervisor.status().state === 'running', 'the tray’s MCP server to run');
    expect(tray.supervisor.status().pid).toBe(sharedPid);
    expect(tray.supervisor.logs().join('\n')).toContain(
      `adopted the MCP server that AI clients shared while the tray was not running (pid ${sharedPid}, ${url})`,
    );
    expect(await runtimeInfo(dataDir)).toMatchObject({ pid: sharedPid, shared: true });

    const go = await clients[1]!.client.callTool({ name: 'execute_command', arguments: { id: sandboxId, command: 'touch go' } });
    expect(go.isError, textOf(go)).toBeFalsy();
    const finished = await inFlight;
    if (finished instanceof Error) throw finished;
    expect(finished.isError, textOf(finished)).toBeFalsy();
    expect(textOf(finished)).toContain('finished-across-the-tray');

    expect(processAlive(sharedPid)).toBe(true);
    expect(pidRunning(dataDir, 'sleep 611')).toBe(sleeperPid);
    // The tray reaches the provider inside the adopted server: its watcher shows the sandbox, the SDK gets it.
    await expect.poll(() => tray.state().sandboxes.find((view) => view.id === sandboxId)?.state, { timeout: 30_000 }).toBe('started');
    const daytona = tray.localDaytona();
    try {
      const sandbox = await daytona.get(sandboxId);
      expect(sandbox.state).toBe('started');
    } finally {
      await daytona[Symbol.asyncDispose]();
    }
    for (const [i, client] of clients.entries()) {
      expect(await listing(client)).toMatch(/kept\s+started/);
      // Never moved: the same server and session all along.
      expect(client.bridge.stderr().split('relaying to').length).toBe(relays[i]);
    }
  });

  it('after the tray quits, the same server serves the connected clients; once they close, nothing of ours is left', async () => {
    await app!.desktop.quit();
    await app!.quitted();
    expect(app!.supervisor.logs().join('\n')).toContain(
      `the shared MCP server (pid ${sharedPid}) keeps running for the AI clients using it`,
    );
    expect(processAlive(sharedPid)).toBe(true);
    expect(pidRunning(dataDir, 'sleep 611')).toBe(sleeperPid);
    for (const client of clients) expect(await listing(client)).toMatch(/kept\s+started/);
    expect(await runtimeInfo(dataDir)).toMatchObject({ pid: sharedPid, shared: true });
    for (const client of clients) expect(await closeBridgeClient(client)).toBe(0);
    await expect.poll(() => processAlive(sharedPid), { timeout: 60_000, interval: 200 }).toBe(false);
    expect(processesUsing(dataDir)).toEqual([]);
  });
});

describe('a tray whose settings differ replaces the shared server: a call in flight finishes, a bridge calling in the gap starts no interim server', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let dataDir: string;
  let clients: BridgeClient[] = [];
  let app: TestApp | undefined;
  let sharedPid: number;

  beforeAll(async () => {
    dir = await tempDir('daytona-tray-shared-replace-');
    dataDir = join(dir.path, 'data');
    // The tray's settings switch a tool group off; a server the bridges start offers every group.
    await createSettingsStore({ file: join(dataDir, 'settings.json') }).update((settings) => {
      settings.mcp.toolGroups.git = false;
    });
    const env = bridgeEnv(dataDir);
    clients = await Promise.all([startBridgeClient(env, dir.path, 'first'), startBridgeClient(env, dir.path, 'second')]);
  });
  afterAll(async () => {
    await closeAll(clients, app, sharedPid);
    await dir?.cleanup();
  });

  it('replaced, with the start lock held: a call made once the shared server is gone waits for the tray’s server', async () => {
    const created = await clients[0]!.client.callTool({ name: 'create_sandbox', arguments: { name: 'before-tray' } });
    expect(created.isError, textOf(created)).toBeFalsy();
    sharedPid = sharedPidIn(clients[0]!.bridge.stderr())!;
    expect(await listing(clients[1]!)).toContain('before-tray');
    const id = (created.structuredContent as { id: string }).id;
    // A call in flight when the tray replaces the server: the server lets it finish before it stops.
    const inFlight = clients[1]!.client
      .callTool({ name: 'execute_command', arguments: { id, command: 'touch started; sleep 5; echo finished-before-the-stop' } })
      .catch((error: unknown) => error as Error);
    const hasStarted = async () => textOf(await clients[0]!.client.callTool({ name: 'execute_command', arguments: { id, command: 'ls' } }));
    await expect.poll(hasStarted, { timeout: 20_000, interval: 100 }).toContain('started');

    const starting = startTestApp({ minuteMs: 60_000, home: dir.path });
    // The gap: the shared server has exited, the tray's local provider and server are still starting.
    await expect.poll(() => processAlive(sharedPid), { timeout: 60_000, interval: 20 }).toBe(false);
    const inGap = await listing(clients[0]!);
    app = await starting;
    const tray = app;
    await waitUntil(() => tray.supervisor.status().state === 'running', 'the tray’s MCP server to run');
    const info = await runtimeInfo(dataDir);
    expect(info?.pid).toBe(tray.supervisor.status().pid);
    expect(info?.shared).toBeUndefined();
    const logs = tray.supervisor.logs().join('\n');
    expect(logs).toContain(`(pid ${sharedPid}) is replaced: it offers the tool groups`);
    expect(logs).toContain(`(pid ${sharedPid}) is stopping: the tray serves them now`);

    const finished = await inFlight;
    if (finished instanceof Error) throw finished;
    expect(finished.isError, textOf(finished)).toBeFalsy();
    expect(textOf(finished)).toContain('finished-before-the-stop');
    expect(await readFile(join(dataDir, 'mcp-shared.log'), 'utf8')).toContain('stopping: letting 1 call in flight finish');

    // Sandboxes stopped with the shared server, as at a tray quit (kept); the call in the gap was served by the tray's.
    expect(inGap).toMatch(/before-tray\s+stopped/);
    // The call found no server and started one, which waited for the start lock and found the tray's: no interim server.
    expect(clients[0]!.bridge.stderr()).toContain(`the tray's MCP server (pid ${info!.pid}) serves now`);
    const starts = clients.map(({ bridge }) => bridge.stderr().match(/started a shared MCP server/g)?.length ?? 0);
    expect(starts[0]! + starts[1]!).toBe(1);
    expect(clients[0]!.bridge.stderr()).toContain(`relaying to ${info!.url}`);
    expect(await listing(clients[1]!)).toMatch(/before-tray\s+stopped/);
  });
});
