import { randomInt } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import {
  ChildStdioTransport,
  cleanEnv,
  connectClient,
  httpTransport,
  spawnCli,
  startHttpChild,
  textOf,
  type CliChild,
  type RuntimeInfo,
} from '../helpers/mcp-harness.ts';
import { transferFolderIn } from '../helpers/mcp-tool-scenario.ts';
import { skipNow } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

// Scaled clock: progress every 300 ms and hand-off after 1.5 s stand for the real 5 s and 45 s.
const PROGRESS_MS = 300;
const HANDOFF_MS = 1500;

interface Progress {
  progress: number;
  message?: string;
}

/** Processes on this machine whose command line is exactly `argv` (sandboxed ones included: /proc shows them). */
async function processesRunning(argv: string[]): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline === `${argv.join('\0')}\0`) found.push(Number(entry));
  }
  return found;
}

describe('long and cancelled work through the real MCP client', () => {
  let provider: TestProvider;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: { cli: CliChild; info: RuntimeInfo };
  let bridge: CliChild;
  let bridgeStdio: ChildStdioTransport;
  let ownBridge: CliChild;
  const clients: Record<'bridge over stdio' | 'HTTP' | 'bridge serving in process', Client> = {} as never;
  let sandbox = '';

  beforeAll(async () => {
    provider = await startTestProvider();
    dir = await tempDir('daytona-tray-mcp-long-');
    const env = cleanEnv({
      DAYTONA_API_URL: provider.provider.apiUrl,
      DAYTONA_API_KEY: provider.provider.apiKey,
      DAYTONA_TRAY_HOME: dir.path,
      HOME: dir.path,
      DAYTONA_TRAY_MCP_PROGRESS_MS: String(PROGRESS_MS),
      DAYTONA_TRAY_MCP_HANDOFF_MS: String(HANDOFF_MS),
    });
    server = await startHttpChild(env, dir.path, dir.path);
    bridge = spawnCli(['bridge'], cleanEnv({ DAYTONA_TRAY_HOME: dir.path }), dir.path);
    bridgeStdio = new ChildStdioTransport(bridge);
    clients['bridge over stdio'] = await connectClient(bridgeStdio);
    clients.HTTP = await connectClient(httpTransport(server.info));
    // A bridge given an account of its own serves the tools in its own process (no HTTP server in between).
    ownBridge = spawnCli(['bridge'], { ...env, DAYTONA_TRAY_HOME: join(dir.path, 'own') }, dir.path);
    clients['bridge serving in process'] = await connectClient(new ChildStdioTransport(ownBridge));
    await clients['bridge serving in process'].listTools();
    expect(ownBridge.stderr()).toContain('serving the tools in this process (in-process)');
    const created = await clients.HTTP.callTool({ name: 'create_sandbox', arguments: { name: `long-${Date.now()}` } });
    expect(created.isError, textOf(created)).toBeFalsy();
    sandbox = (created.structuredContent as { id: string }).id;
  });
  afterAll(async () => {
    for (const client of Object.values(clients)) await client?.close().catch(() => {});
    await bridge?.kill();
    await ownBridge?.kill();
    await server?.cli.kill();
    await provider?.stop();
    await dir?.cleanup();
  });

  it('cancelling create_sandbox leaves no sandbox behind', async (ctx) => {
    // The cancel must reach the server while it creates, and a local create can take well under 100 ms on an idle
    // machine: shorter waits until one cancel lands mid-create. A create that won the race (its result came back,
    // or the server finished it before the cancel arrived and so logged no cancel) is destroyed and tried again.
    const cancelledLines = () => server.cli.stderr().match(/create_sandbox cancelled by the client/g)?.length ?? 0;
    const listed = async (name: string) => textOf(await clients.HTTP.callTool({ name: 'list_sandboxes', arguments: {} })).includes(name);
    const destroyNamed = async (name: string) => {
      const { structuredContent } = await clients.HTTP.callTool({ name: 'list_sandboxes', arguments: {} });
      const found = (structuredContent as { sandboxes?: { id: string; name: string }[] }).sandboxes?.find((entry) => entry.name === name);
      if (found) await clients.HTTP.callTool({ name: 'destroy_sandbox', arguments: { id: found.id } });
    };
    for (const waitMs of [100, 50, 25, 10, 5, 1]) {
      const name = `cancelled-${waitMs}-${Date.now()}`;
      const before = cancelledLines();
      const controller = new AbortController();
      const pending = clients.HTTP.callTool({ name: 'create_sandbox', arguments: { name } }, undefined, { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      controller.abort('changed my mind');
      const resolved = await pending.then(
        () => true,
        () => false,
      );
      const landed =
        !resolved &&
        (await until('the server to log the cancelled creation', 5_000, async () => (cancelledLines() > before ? true : undefined)).catch(
          () => false,
        ));
      if (!landed) {
        await destroyNamed(name);
        continue;
      }
      // The server deletes what the cancelled call created once Daytona reports it (the SDK cannot interrupt a create).
      await expect.poll(() => listed(name), { timeout: 30_000 }).toBe(false);
      return;
    }
    skipNow(ctx, 'no cancel landed while a create ran: every create here finished before its cancel reached the server');
  });

  describe.each(['bridge over stdio', 'HTTP', 'bridge serving in process'] as const)('%s', (transport) => {
    const client = () => clients[transport];
    // Where the server that runs the tools logs: the HTTP server, or the bridge itself.
    const serverLog = () => (transport === 'bridge serving in process' ? ownBridge.stderr() : server.cli.stderr());
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = await client().callTool({ name, arguments: { id: sandbox, ...args } });
      expect(result.isError, `${name}: ${textOf(result)}`).toBeFalsy();
      return { text: textOf(result), data: result.structuredContent as Record<string, any> };
    };

    it('a command longer than the client timeout succeeds with progress and reset-on-progress, its latest output as messages', async () => {
      const seen: Progress[] = [];
      // 4 s of work against a 2 s request timeout: only progress notifications keep the client waiting.
      const result = await client().callTool(
        {
          name: 'execute_command',
          arguments: { id: sandbox, command: 'for i in 1 2 3 4 5 6 7 8; do echo "step $i"; sleep 0.5; done; echo end' },
        },
        undefined,
        { onprogress: (p) => seen.push(p), resetTimeoutOnProgress: true, timeout: 2000 },
      );
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ exitCode: 0, running: false });
      expect(textOf(result)).toContain('step 8\nend');
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(seen.map((p) => p.progress)).toEqual([...seen.map((p) => p.progress)].sort((a, b) => a - b));
      expect(seen.some((p) => /step \d/.test(p.message ?? ''))).toBe(true);
    });

    it('without a progress token a long command hands off, and the follow-up tools return its complete output and exit code', async () => {
      const started = await call('execute_command', { command: 'echo first; sleep 3; echo last; exit 7' });
      expect(started.data).toMatchObject({ running: true });
      expect(started.text).toMatch(/handed off/);
      expect(started.data.output).toContain('first');
      const handle = started.data.handle as string;
      const partial = await call('command_output', { handle });
      expect(partial.data.running).toBe(true);
      // Without a progress token one wait lasts at most the hand-off time (1.5 s here): a client waits again, as
      // the tool's answer tells it to, until the command has ended.
      let waited = await call('command_wait', { handle, timeout: 30 });
      for (let round = 0; waited.data.running === true && round < 20; round++) waited = await call('command_wait', { handle, timeout: 30 });
      expect(waited.data).toMatchObject({ running: false, exitCode: 7, offset: 0 });
      expect(waited.data.output).toBe('first\nlast\n');
      // Reading it again gives the same, and a handle that names no command says so.
      const again = await call('command_output', { handle });
      expect(again.data).toMatchObject({ running: false, exitCode: 7, output: 'first\nlast\n' });
      const unknown = await client().callTool({ name: 'command_output', arguments: { id: sandbox, handle: 'daytona-tray-0.none' } });
      expect(unknown.isError).toBe(true);
      expect(textOf(unknown)).toMatch(/No command daytona-tray-0.none in sandbox/);
    });

    it('background: true hands off at once; input reaches the command, and command_stop ends it', async () => {
      const asked = await call('execute_command', { command: 'read -r name; echo "hello $name"', background: true });
      expect(asked.data.running).toBe(true);
      await call('command_input', { handle: asked.data.handle, data: 'sandbox' });
      const answered = await call('command_wait', { handle: asked.data.handle });
      expect(answered.data).toMatchObject({ exitCode: 0, output: 'hello sandbox\n' });

      const seconds = `30.${randomInt(100_000, 999_999)}`;
      const server = await call('execute_command', { command: `sleep ${seconds}`, background: true });
      await until('the sleep to start', 5000, async () => ((await processesRunning(['sleep', seconds])).length ? true : undefined));
      await call('command_stop', { handle: server.data.handle });
      await until('the sleep to die', 2000, async () => ((await processesRunning(['sleep', seconds])).length ? undefined : true));
    });

    it('cancelling a running sleep 30 leaves no such process in the sandbox within 2 s', async () => {
      const seconds = `30.${randomInt(100_000, 999_999)}`;
      const controller = new AbortController();
      const pending = client().callTool({ name: 'execute_command', arguments: { id: sandbox, command: `sleep ${seconds}` } }, undefined, {
        signal: controller.signal,
        onprogress: () => {},
      });
      await until('the sleep to start', 5000, async () => ((await processesRunning(['sleep', seconds])).length ? true : undefined));
      controller.abort('the user pressed Esc');
      await expect(pending).rejects.toThrow();
      await until('the sleep to die', 2000, async () => ((await processesRunning(['sleep', seconds])).length ? undefined : true));
      await until('the server to log the cancellation', 2000, async () =>
        /execute_command cancelled by the client/.test(serverLog()) ? true : undefined,
      );
      // The connection is still good for the next call, and the cancelled request got no answer (MCP: none is sent).
      expect((await call('execute_command', { command: 'echo still here' })).text).toContain('still here');
      if (transport === 'bridge over stdio') {
        expect(bridgeStdio.lines.filter((line) => /may or may not have run|could not be reached/.test(line))).toEqual([]);
        expect(bridge.stderr()).not.toMatch(/stopped mid-call/);
      }
    });

    it('cancelling a large download stops it: nothing is saved, and the call ends on the server', async () => {
      await call('execute_command', { command: 'head -c 400000000 /dev/zero > big.bin' });
      const controller = new AbortController();
      const name = `big-${transport.replace(/\W/g, '')}.bin`;
      const cancelledBefore = serverLog().split('file_download cancelled').length;
      const pending = client().callTool(
        { name: 'file_download', arguments: { id: sandbox, filePath: 'big.bin', localPath: name } },
        undefined,
        { signal: controller.signal, onprogress: () => {} },
      );
      // Cancelled as soon as bytes arrive on this computer.
      await until('the download to start', 10_000, async () => {
        for (const file of await readdir(transferFolderIn(dir.path)).catch(() => [] as string[])) {
          if (file.includes(name) && (await stat(join(transferFolderIn(dir.path), file)).catch(() => undefined))?.size) return true;
        }
        return undefined;
      });
      controller.abort('too big after all');
      await expect(pending).rejects.toThrow();
      await until('the server to log the cancelled download', 5000, async () =>
        serverLog().split('file_download cancelled').length > cancelledBefore ? true : undefined,
      );
      // A download that went on would have been renamed into place; a stopped one leaves not even its .part file.
      await until('the partial file to be removed', 5000, async () =>
        (await readdir(transferFolderIn(dir.path)).catch(() => [])).some((file) => file.includes(name)) ? undefined : true,
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await readdir(transferFolderIn(dir.path)).catch(() => [])).filter((file) => file.includes(name))).toEqual([]);
    });
  });
});
