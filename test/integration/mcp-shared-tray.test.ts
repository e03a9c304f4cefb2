import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../main/core/process-alive.ts';
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

describe('a tray started while AI clients share a server takes over, and they keep working after it quits', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let dataDir: string;
  let clients: BridgeClient[] = [];
  let app: TestApp | undefined;
  let sharedPid: number;

  beforeAll(async () => {
    dir = await tempDir('daytona-tray-shared-tray-');
    dataDir = join(dir.path, 'data');
    const env = bridgeEnv(dataDir);
    clients = await Promise.all([startBridgeClient(env, dir.path, 'first'), startBridgeClient(env, dir.path, 'second')]);
  });
  afterAll(async () => {
    for (const { client, bridge } of clients) {
      await client.close().catch(() => {});
      await bridge.kill();
    }
    await app?.cleanup();
    if (sharedPid && processAlive(sharedPid)) process.kill(sharedPid, 'SIGTERM');
    await dir?.cleanup();
  });

  it('before the tray: both clients work through one shared server', async () => {
    for (const [i, client] of clients.entries()) {
      const created = await client.client.callTool({ name: 'create_sandbox', arguments: { name: `before-tray-${i}` } });
      expect(created.isError, textOf(created)).toBeFalsy();
    }
    sharedPid = sharedPidIn(clients[0]!.bridge.stderr())!;
    expect(sharedPidIn(clients[1]!.bridge.stderr())).toBe(sharedPid);
    expect(await runtimeInfo(dataDir)).toMatchObject({ pid: sharedPid, shared: true });
  });

  it('the tray replaces the shared server; every call of the connected clients succeeds, on the tray’s server', async () => {
    app = await startTestApp({ minuteMs: 60_000, home: dir.path });
    const tray = app;
    await waitUntil(() => tray.supervisor.status().state === 'running', 'the tray’s MCP server to run');
    expect(processAlive(sharedPid)).toBe(false);
    const info = await runtimeInfo(dataDir);
    expect(info?.pid).toBe(tray.supervisor.status().pid);
    expect(info?.shared).toBeUndefined();
    expect(tray.supervisor.logs().join('\n')).toContain(
      `the MCP server that AI clients shared while the tray was not running (pid ${sharedPid}) is stopping: the tray serves them now`,
    );

    for (const client of clients) {
      const names = await listing(client);
      // The shared server stopped its sandboxes as a tray quit does: kept, stopped.
      expect(names).toMatch(/before-tray-0\s+stopped/);
      expect(names).toMatch(/before-tray-1\s+stopped/);
      expect(client.bridge.stderr()).toContain(`relaying to ${info!.url}`);
    }
    const created = await clients[0]!.client.callTool({ name: 'create_sandbox', arguments: { name: 'with-tray' } });
    expect(created.isError, textOf(created)).toBeFalsy();
    expect(await listing(clients[1]!)).toContain('with-tray');
  });

  it('after the tray quits, the connected clients keep working (a new shared server), and nothing is left once they close', async () => {
    await app!.desktop.quit();
    await app!.quitted();
    for (const client of clients) expect(await listing(client)).toContain('with-tray');
    // The first client's next call started a new shared server; the second found it.
    const info = await runtimeInfo(dataDir);
    expect(info?.shared).toBe(true);
    expect(info!.pid).not.toBe(sharedPid);
    expect(clients[0]!.bridge.stderr()).toContain(`started a shared MCP server (pid ${info!.pid}`);
    for (const { bridge } of clients) expect(bridge.stderr().trimEnd().split('\n').at(-1)).toContain(`relaying to ${info!.url}`);
    sharedPid = info!.pid;
    for (const client of clients) expect(await closeBridgeClient(client)).toBe(0);
    await expect.poll(() => processAlive(sharedPid), { timeout: 60_000, interval: 200 }).toBe(false);
    expect(processesUsing(dataDir)).toEqual([]);
  });
});
