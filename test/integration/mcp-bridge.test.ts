import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import {
  ChildStdioTransport,
  cleanEnv,
  connectClient,
  runtimeFileOf,
  spawnCli,
  startHttpChild,
  textOf,
  type CliChild,
  type RuntimeInfo,
} from '../helpers/mcp-harness.ts';
import { registerToolScenario, transferFolderIn, TOOL_NAMES } from '../helpers/mcp-tool-scenario.ts';
import { CLI } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('daytona-tray bridge relaying to the HTTP server', () => {
  let provider: TestProvider;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let serverEnv: NodeJS.ProcessEnv;
  let server: { cli: CliChild; info: RuntimeInfo };
  let bridge: CliChild;
  let transport: ChildStdioTransport;
  let client: Client;

  beforeAll(async () => {
    provider = await startTestProvider();
    dir = await tempDir('daytona-tray-mcp-bridge-');
    serverEnv = cleanEnv({
      DAYTONA_API_URL: provider.provider.apiUrl,
      DAYTONA_API_KEY: provider.provider.apiKey,
      DAYTONA_TRAY_HOME: dir.path,
      HOME: dir.path,
    });
    server = await startHttpChild(serverEnv, dir.path, dir.path);
    // The bridge gets no Daytona settings and no secret: everything it serves comes through the HTTP server.
    bridge = spawnCli(['bridge'], cleanEnv({ DAYTONA_TRAY_HOME: dir.path }), dir.path);
    transport = new ChildStdioTransport(bridge);
    client = await connectClient(transport);
  });
  afterAll(async () => {
    await client?.close().catch(() => {});
    await bridge?.kill();
    await server?.cli.kill();
    await provider?.stop();
    await dir?.cleanup();
  });

  registerToolScenario('bridge', () => ({ client, localDir: transferFolderIn(dir.path) }));

  it('relayed through the HTTP server (one session there), needing no secret of its own', () => {
    expect(bridge.stderr()).toContain(`relaying to ${server.info.url}`);
    expect(server.cli.stderr()).toMatch(/session \w+ opened; 1 open/);
    expect(server.cli.stderr()).toMatch(/execute_command ok in \d+ ms/);
  });

  it('after the HTTP server is killed (-9) and restarted, the next call through the same bridge succeeds', async () => {
    const before = server.info;
    await server.cli.kill('SIGKILL');
    server = await startHttpChild(serverEnv, dir.path, dir.path);
    expect(server.info.token).not.toBe(before.token);
    const result = await client.callTool({ name: 'list_sandboxes', arguments: {} });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(bridge.stderr()).toContain(`relaying to ${server.info.url}`);
    expect(server.cli.stderr()).toMatch(/list_sandboxes ok/);
    expect(bridge.stderr()).not.toMatch(/Warning/);
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(TOOL_NAMES.length);
  });

  it('wrote nothing but JSON-RPC to stdout, malformed input, restarts and errors included', async () => {
    transport.sendRaw('{not json');
    transport.sendRaw('{"jsonrpc":"1.0","id":1}');
    transport.sendRaw('{"jsonrpc":"2.0","id":"raw-2","method":"no/such/method"}');
    await expect.poll(() => transport.lines.some((line) => line.includes('"raw-2"'))).toBe(true);
    expect(transport.lines.filter((line) => line.includes('"code":-32700'))).toHaveLength(1);
    expect(transport.lines.filter((line) => line.includes('"code":-32600'))).toHaveLength(1);
    expect(transport.lines.length).toBeGreaterThan(40);
    expect(transport.impureLines()).toEqual([]);
  });

  it('exits with code 0 when the client closes stdin', async () => {
    await client.close();
    expect(await bridge.exited).toEqual({ code: 0, signal: null });
    // It ended its session on the server on the way out.
    await expect.poll(() => server.cli.stderr()).toMatch(/closed \(closed by the client\); 0 open/);
  });
});

describe('daytona-tray bridge with no HTTP server running', () => {
  let provider: TestProvider;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let bridge: CliChild;
  let client: Client;

  beforeAll(async () => {
    provider = await startTestProvider();
    dir = await tempDir('daytona-tray-mcp-fallback-');
    // A runtime file left by a server that died: its pid is gone, so the bridge must not trust it.
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.once('exit', resolve));
    await writeFile(
      runtimeFileOf(dir.path),
      JSON.stringify({
        version: 1,
        url: 'http://127.0.0.1:9/mcp',
        port: 9,
        token: 'x'.repeat(43),
        pid: dead.pid,
        startedAt: new Date().toISOString(),
      }),
      { mode: 0o600 },
    );
    bridge = spawnCli(
      ['bridge'],
      cleanEnv({
        DAYTONA_API_URL: provider.provider.apiUrl,
        DAYTONA_API_KEY: provider.provider.apiKey,
        DAYTONA_TRAY_HOME: dir.path,
        HOME: dir.path,
      }),
      dir.path,
    );
    client = await connectClient(new ChildStdioTransport(bridge));
  });
  afterAll(async () => {
    await client?.close().catch(() => {});
    await bridge?.kill();
    await provider?.stop();
    await dir?.cleanup();
  });

  registerToolScenario('fallback', () => ({ client, localDir: transferFolderIn(dir.path) }));

  it('served the tools in its own process', () => {
    // Credentials in a client's environment are its own account: never handed to a server shared with others.
    expect(bridge.stderr()).toContain(
      "DAYTONA_API_KEY and DAYTONA_API_URL in this client's environment select its own Daytona account, which a server shared with other clients would not use: serving the tools in this process",
    );
    expect(bridge.stderr()).not.toContain(provider.provider.apiKey);
  });
});

describe('daytona-tray bridge when the HTTP server dies for good', () => {
  it('falls back to serving in-process on the next call (also when the pid in the runtime file lives on)', async () => {
    const provider = await startTestProvider();
    const dir = await tempDir('daytona-tray-mcp-gone-');
    const env = cleanEnv({
      DAYTONA_API_URL: provider.provider.apiUrl,
      DAYTONA_API_KEY: provider.provider.apiKey,
      DAYTONA_TRAY_HOME: dir.path,
    });
    const server = await startHttpChild(env, dir.path, dir.path);
    const bridge = spawnCli(['bridge'], env, dir.path);
    try {
      const client = await connectClient(new ChildStdioTransport(bridge));
      expect((await client.callTool({ name: 'list_sandboxes', arguments: {} })).isError).toBeFalsy();
      await server.cli.kill('SIGKILL');
      // The runtime file now names a live pid (this test process) whose port is closed: reaching it fails.
      await writeFile(
        runtimeFileOf(dir.path),
        JSON.stringify({ ...server.info, version: 1, pid: process.pid, startedAt: new Date().toISOString() }),
        { mode: 0o600 },
      );
      const created = await client.callTool({ name: 'create_sandbox', arguments: { name: 'after-server-died' } });
      expect(created.isError, textOf(created)).toBeFalsy();
      expect(bridge.stderr()).toContain('serving the tools in this process');
      const run = await client.callTool({
        name: 'execute_command',
        arguments: { id: (created.structuredContent as { id: string }).id, command: 'echo still here' },
      });
      expect(textOf(run)).toContain('still here');
      await client.close();
      expect((await bridge.exited).code).toBe(0);
    } finally {
      await bridge.kill();
      await server.cli.kill();
      await provider.stop();
      await dir.cleanup();
    }
  });
});

describe('daytona-tray bridge and mcp lifetime', () => {
  it.each(['bridge', 'mcp'])('%s exits when the process that started it dies, even with stdin still open', async (command) => {
    const dir = await tempDir('daytona-tray-mcp-orphan-');
    const parentScript = `
      const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, [${JSON.stringify(CLI)}, ${JSON.stringify(command)}], { stdio: ['inherit', 'ignore', 'inherit'] });
      process.stdout.write(child.pid + '\\n');
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentScript], {
      env: cleanEnv({ DAYTONA_TRAY_HOME: dir.path }),
      cwd: dir.path,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    try {
      const bridgePid = await new Promise<number>((resolve, reject) => {
        parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
        parent.once('exit', () => reject(new Error('parent exited early')));
      });
      await expect.poll(() => alive(bridgePid)).toBe(true);
      parent.kill('SIGKILL');
      await expect.poll(() => alive(bridgePid), { timeout: 15_000 }).toBe(false);
    } finally {
      parent.kill('SIGKILL');
      await dir.cleanup();
    }
  });

  it('prints help on --help and refuses unknown options (exit 2) without touching stdout otherwise', async () => {
    const dir = await tempDir('daytona-tray-mcp-help-');
    try {
      const bad = spawnCli(['bridge', '--port', '1'], cleanEnv({ DAYTONA_TRAY_HOME: dir.path }), dir.path);
      let out = '';
      bad.child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      expect((await bad.exited).code).toBe(2);
      expect(out).toBe('');
      expect(bad.stderr()).toContain('Usage: daytona-tray bridge');
    } finally {
      await dir.cleanup();
    }
  });
});
