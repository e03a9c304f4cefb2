import { randomInt } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { DEFAULT_REQUEST_TIMEOUT_MSEC } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { ChildStdioTransport, cleanEnv, connectClient, spawnCli, startHttpChild, textOf, type CliChild } from '../helpers/mcp-harness.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

/*
 * The scenarios of issue 17 on the real clock: the server on its defaults (progress every 5 s, hand-off after 45 s),
 * the official MCP client on its SDK's (a request times out after 60 s), through the bridge. Each takes a little over
 * a minute, so they run side by side.
 */

const SCENARIO_TIMEOUT_MS = 180_000;

/** A shell loop of `seconds` one-second steps, one output line each, findable in /proc by its `tag` argument. */
function ticking(seconds: number, tag: string): string {
  return `sh -c 'i=0; while [ $i -lt ${seconds} ]; do i=$((i+1)); echo "tick $i"; sleep 1; done; echo done' ${tag}`;
}

async function running(tag: string): Promise<boolean> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (argv.includes(tag)) return true;
  }
  return false;
}

describe('long work on the real clock, through the bridge with the MCP SDK client on its defaults', () => {
  let provider: TestProvider;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: { cli: CliChild };
  let bridge: CliChild;
  let client: Client;
  let sandbox = '';

  beforeAll(async () => {
    provider = await startTestProvider();
    dir = await tempDir('daytona-tray-mcp-real-time-');
    const env = cleanEnv({
      DAYTONA_API_URL: provider.provider.apiUrl,
      DAYTONA_API_KEY: provider.provider.apiKey,
      DAYTONA_TRAY_HOME: dir.path,
      HOME: dir.path,
    });
    server = await startHttpChild(env, dir.path, dir.path);
    bridge = spawnCli(['bridge'], cleanEnv({ DAYTONA_TRAY_HOME: dir.path }), dir.path);
    client = await connectClient(new ChildStdioTransport(bridge));
    const created = await client.callTool({ name: 'create_sandbox', arguments: { name: `real-time-${Date.now()}` } });
    expect(created.isError, textOf(created)).toBeFalsy();
    sandbox = (created.structuredContent as { id: string }).id;
  });
  afterAll(async () => {
    await client?.close().catch(() => {});
    await bridge?.kill();
    await server?.cli.kill();
    await provider?.stop();
    await dir?.cleanup();
  });

  it('the client on its defaults: a request gives up after 60 s', () => {
    expect(DEFAULT_REQUEST_TIMEOUT_MSEC).toBe(60_000);
  });

  it.concurrent(
    'a 70 s command runs to its end with progress (reset-on-progress), its latest output lines as the messages',
    async () => {
      const messages: string[] = [];
      const result = await client.callTool(
        { name: 'execute_command', arguments: { id: sandbox, command: ticking(70, `with-progress-${randomInt(1e9)}`), timeout: 600 } },
        undefined,
        { onprogress: (p) => messages.push(p.message ?? ''), resetTimeoutOnProgress: true },
      );
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ exitCode: 0, running: false });
      expect(textOf(result)).toContain('tick 70\ndone');
      // Every 5 s for 70 s: about 14; at least one every 15 s is 4.
      expect(messages.length).toBeGreaterThanOrEqual(5);
      expect(messages.filter((m) => /tick \d+/.test(m)).length).toBeGreaterThanOrEqual(4);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it.concurrent(
    'without a progress token a 70 s command is handed off before the client gives up, and command_wait follows it to its end',
    async () => {
      const started = await client.callTool({
        name: 'execute_command',
        arguments: { id: sandbox, command: ticking(70, `handed-off-${randomInt(1e9)}`), timeout: 600 },
      });
      expect(started.isError, textOf(started)).toBeFalsy();
      const first = started.structuredContent as { running: boolean; handle: string; output: string };
      expect(first.running).toBe(true);
      expect(textOf(started)).toMatch(/Still running after 45 s, so handed off/);
      expect(first.output).toContain('tick 1\n');
      let waited: { running: boolean; exitCode?: number; output: string } = { running: true, output: '' };
      for (let round = 0; waited.running && round < 10; round++) {
        const result = await client.callTool({ name: 'command_wait', arguments: { id: sandbox, handle: first.handle, timeout: 40 } });
        expect(result.isError, textOf(result)).toBeFalsy();
        waited = result.structuredContent as typeof waited;
      }
      expect(waited).toMatchObject({ running: false, exitCode: 0 });
      const ticks = Array.from({ length: 70 }, (_, i) => `tick ${i + 1}\n`).join('');
      expect(waited.output).toBe(`${ticks}done\n`);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it.concurrent(
    'a command cancelled after 65 s stops, with nothing of it left in the sandbox',
    async () => {
      const tag = `cancelled-${randomInt(1e9)}`;
      const controller = new AbortController();
      const messages: string[] = [];
      const pending = client.callTool(
        { name: 'execute_command', arguments: { id: sandbox, command: ticking(150, tag), timeout: 600 } },
        undefined,
        { signal: controller.signal, onprogress: (p) => messages.push(p.message ?? ''), resetTimeoutOnProgress: true },
      );
      const settled = pending.then(
        () => 'answered',
        () => 'rejected',
      );
      await until('the command to start', 10_000, () => running(tag));
      await new Promise((resolve) => setTimeout(resolve, 65_000));
      // Still running past the client's 60 s: progress kept the request open.
      expect(await Promise.race([settled, Promise.resolve('pending')])).toBe('pending');
      expect(messages.length).toBeGreaterThanOrEqual(5);
      controller.abort('the user pressed Esc');
      expect(await settled).toBe('rejected');
      await until('the command to be gone', 2000, async () => !(await running(tag)));
      await until('the server to log the cancellation', 5000, async () =>
        /execute_command cancelled by the client/.test(server.cli.stderr()),
      );
    },
    SCENARIO_TIMEOUT_MS,
  );
});
