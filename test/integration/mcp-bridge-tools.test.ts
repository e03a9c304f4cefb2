import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TOOLS } from '../../main/mcp/tools/index.ts';
import type { ToolGroup } from '../../preload/contract.ts';
import {
  ChildStdioTransport,
  cleanEnv,
  connectClient,
  spawnCli,
  startHttpChild,
  type CliChild,
  type RuntimeInfo,
} from '../helpers/mcp-harness.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * `daytona-tray bridge --tools <groups>`: what setup writes for a client with a tool cap (Cursor). A real MCP
 * client over the bridge's stdio sees only those groups' tools, relayed through the HTTP server (per session:
 * another bridge on the same server still sees them all) and when the bridge serves in its own process.
 */
const namesOf = (groups: readonly ToolGroup[]) => ALL_TOOLS.filter((tool) => groups.includes(tool.group)).map((tool) => tool.name);
const ALL_NAMES = ALL_TOOLS.map((tool) => tool.name);
// Listing needs no Daytona: the server is pointed at a closed port.
const ACCOUNT = { DAYTONA_API_URL: 'http://127.0.0.1:9/api', DAYTONA_API_KEY: 'unused-in-this-test' };

interface Opened {
  bridge: CliChild;
  client: Client;
}

describe('bridge --tools', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: { cli: CliChild; info: RuntimeInfo };
  const opened: Opened[] = [];

  async function open(args: string[], env: NodeJS.ProcessEnv = cleanEnv({ DAYTONA_TRAY_HOME: dir.path })): Promise<Opened> {
    const bridge = spawnCli(['bridge', ...args], env, dir.path);
    const client = await connectClient(new ChildStdioTransport(bridge));
    const pair = { bridge, client };
    opened.push(pair);
    return pair;
  }

  beforeAll(async () => {
    dir = await tempDir('daytona-tray-bridge-tools-');
    // The server itself leaves out preview for every client (settings' switch): a bridge cannot bring it back.
    server = await startHttpChild(cleanEnv({ ...ACCOUNT, DAYTONA_TRAY_HOME: dir.path, HOME: dir.path }), dir.path, dir.path, [
      '--disable-groups',
      'preview',
    ]);
  });
  afterAll(async () => {
    for (const { client, bridge } of opened) {
      await client.close().catch(() => {});
      await bridge.kill();
    }
    await server?.cli.kill();
    await dir?.cleanup();
  });

  it('lists only the groups asked for, through the HTTP server; another bridge there still gets every group', async () => {
    const narrow = await open(['--tools', 'sandbox,files']);
    const wide = await open([]);
    const narrowTools = (await narrow.client.listTools()).tools.map((tool) => tool.name);
    expect(narrowTools).toEqual(namesOf(['sandbox', 'files']));
    expect(narrowTools).not.toContain('execute_command');
    expect(narrowTools.some((name) => name.startsWith('computer_use_'))).toBe(false);
    const wideTools = (await wide.client.listTools()).tools.map((tool) => tool.name);
    expect(wideTools).toEqual(ALL_NAMES.filter((name) => !namesOf(['preview']).includes(name)));
    expect(narrow.bridge.stderr()).toContain(`relaying to ${server.info.url}`);
  });

  it('a tool outside the groups cannot be called (the server does not know it in that session)', async () => {
    const { client } = await open(['--tools=git']);
    const result = await client
      .callTool({ name: 'execute_command', arguments: { id: 'any', command: 'true' } })
      .catch((error: Error) => error);
    const said = result instanceof Error ? result.message : JSON.stringify(result);
    expect(said).toMatch(/execute_command.*not found/i);
  });

  it("a group the server switched off stays off ('preview' here), the rest of what was asked is served", async () => {
    const { client } = await open(['--tools', 'preview,git']);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(namesOf(['git']));
  });

  it('`--tools all` is every group the server offers', async () => {
    const { client } = await open(['--tools', 'all']);
    expect((await client.listTools()).tools).toHaveLength(ALL_NAMES.length - namesOf(['preview']).length);
  });

  it('serving in its own process (its own account in its env), it lists only those groups too', async () => {
    // A data folder with no server running: a bridge with its own account then serves in its own process.
    const alone = join(dir.path, 'alone');
    const { bridge, client } = await open(['--tools', 'computer-use'], cleanEnv({ ...ACCOUNT, DAYTONA_TRAY_HOME: alone, HOME: alone }));
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(namesOf(['computer-use']));
    expect(bridge.stderr()).toContain('serving the tools in this process');
  });

  it('an unknown group is refused at start with the valid ones named (exit 2), before any client talks to it', async () => {
    const bridge = spawnCli(['bridge', '--tools', 'files,desktop'], cleanEnv({ DAYTONA_TRAY_HOME: dir.path }), dir.path);
    const { code } = await bridge.exited;
    expect(code).toBe(2);
    expect(bridge.stderr()).toContain(
      'unknown tool group desktop: name groups separated by commas (sandbox, files, process, git, preview, computer-use), or all.',
    );
  });
});
