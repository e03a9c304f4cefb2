import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { ChildStdioTransport, cleanEnv, connectClient, spawnCli, type CliChild } from '../helpers/mcp-harness.ts';
import { registerToolScenario, transferFolderIn } from '../helpers/mcp-tool-scenario.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('daytona-tray mcp over stdio, against the local provider', () => {
  let provider: TestProvider;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let cli: CliChild;
  let transport: ChildStdioTransport;
  let client: Client;

  beforeAll(async () => {
    provider = await startTestProvider();
    dir = await tempDir('daytona-tray-mcp-stdio-');
    const env = cleanEnv({
      DAYTONA_API_URL: provider.provider.apiUrl,
      DAYTONA_API_KEY: provider.provider.apiKey,
      DAYTONA_TRAY_HOME: dir.path,
      HOME: dir.path,
    });
    cli = spawnCli(['mcp'], env, dir.path);
    transport = new ChildStdioTransport(cli);
    client = await connectClient(transport);
  });
  afterAll(async () => {
    await client?.close().catch(() => {});
    await cli?.kill();
    await provider?.stop();
    await dir?.cleanup();
  });

  registerToolScenario('stdio', () => ({ client, localDir: transferFolderIn(dir.path) }));

  it('wrote nothing but JSON-RPC to stdout for the whole session, malformed input and errors included', async () => {
    transport.sendRaw('this line is not JSON');
    transport.sendRaw('{"jsonrpc":"2.0","id":"raw-1","method":"no/such/method"}');
    await expect.poll(() => transport.lines.some((line) => line.includes('"raw-1"'))).toBe(true);
    const answer = JSON.parse(transport.lines.find((line) => line.includes('"raw-1"'))!);
    expect(answer.error.code).toBe(-32601);
    expect(transport.lines.length).toBeGreaterThan(40);
    expect(transport.impureLines()).toEqual([]);
  });

  it('logged to stderr one line per event, without the API key', () => {
    const log = cli.stderr();
    expect(log).toMatch(/\[mcp\] info execute_command ok in \d+ ms/);
    expect(log).not.toContain(provider.provider.apiKey);
    for (const line of log.trim().split('\n')) expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[mcp\] (info|warn|error) /);
  });

  it('exits with code 0 when the client closes stdin', async () => {
    await client.close();
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });
});

describe('daytona-tray mcp tool groups', () => {
  it('leaves out the groups named by --disable-groups and the environment', async () => {
    const dir = await tempDir('daytona-tray-mcp-groups-');
    const cli = spawnCli(
      ['mcp', '--disable-groups', 'git'],
      cleanEnv({ DAYTONA_TRAY_HOME: dir.path, DAYTONA_TRAY_MCP_DISABLED_GROUPS: 'preview' }),
      dir.path,
    );
    try {
      const client = await connectClient(new ChildStdioTransport(cli));
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toHaveLength(49);
      expect(names).not.toEqual(expect.arrayContaining(['git_clone']));
      expect(names.filter((name) => name.startsWith('git_') || name === 'preview_link')).toEqual([]);
      expect(names).toContain('execute_command');
      await client.close();
      expect((await cli.exited).code).toBe(0);
    } finally {
      await cli.kill();
      await dir.cleanup();
    }
  });

  it('refuses an unknown group with the list of valid ones (exit 2)', async () => {
    const dir = await tempDir('daytona-tray-mcp-groups-');
    const cli = spawnCli(['mcp', '--disable-groups', 'gitt'], cleanEnv({ DAYTONA_TRAY_HOME: dir.path }), dir.path);
    try {
      expect((await cli.exited).code).toBe(2);
      expect(cli.stderr()).toContain("unknown tool group 'gitt': the groups are sandbox, files, process, git, preview, computer-use");
    } finally {
      await dir.cleanup();
    }
  });
});
