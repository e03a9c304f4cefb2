import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { processAlive } from '../../main/core/process-alive.ts';
import { CLI } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * End to end: `daytona-tray setup claude-code` in a temp HOME (no claude CLI, so the file path), then a real
 * MCP client starts exactly the command, args and env written in ~/.claude.json, as Claude Code would,
 * and lists our tools.
 */

let home: string;
let cleanup: () => Promise<void>;
let client: Client | undefined;

beforeEach(async () => {
  ({ path: home, cleanup } = await tempDir('clients-e2e-'));
  await mkdir(join(home, '.claude')); // Claude Code has run here once
  await mkdir(join(home, 'bin')); // an empty PATH: no claude CLI, and the entry must not need PATH
});
afterEach(async () => {
  await client?.close(); // closes the transport, which ends the bridge process
  client = undefined;
  await cleanup();
});

it('a real MCP client started from the entry that setup wrote lists our tools', async () => {
  const env = { HOME: home, PATH: join(home, 'bin'), DAYTONA_TRAY_HOME: join(home, 'state') };
  const setup = await promisify(execFile)(process.execPath, [CLI, 'setup', 'claude-code'], { env, timeout: 30_000 });
  expect(setup.stdout).toContain('Claude Code: connected');

  const entry = JSON.parse(await readFile(join(home, '.claude.json'), 'utf8')).mcpServers.daytona as {
    type: string;
    command: string;
    args: string[];
    env?: Record<string, string>;
  };
  expect(entry).toMatchObject({ type: 'stdio', command: process.execPath, args: [CLI, 'bridge'] });

  // What Claude Code does: its own (minimal) environment plus the entry's env; no shell, no PATH lookup.
  // (With no tray running, the bridge starts a shared server; a short grace period lets it go with the test.)
  const transport = new StdioClientTransport({
    command: entry.command,
    args: entry.args,
    env: { HOME: home, PATH: join(home, 'bin'), DAYTONA_TRAY_SHARED_GRACE_MS: '500', ...entry.env },
    stderr: 'pipe',
  });
  const stderr: string[] = [];
  transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  client = new Client({ name: 'clients-e2e', version: '0.0.0' });
  try {
    await client.connect(transport, { timeout: 30_000 });
    const { tools } = await client.listTools(undefined, { timeout: 30_000 });
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['create_sandbox', 'list_sandboxes', 'destroy_sandbox']));
    await client.close();
    client = undefined;
    const shared = Number(/shared MCP server \(pid (\d+)/.exec(stderr.join(''))?.[1]);
    await expect.poll(() => processAlive(shared), { timeout: 60_000 }).toBe(false);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nbridge stderr:\n${stderr.join('')}`, { cause: error });
  }
});
