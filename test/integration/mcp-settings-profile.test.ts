import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildStdioTransport, cleanEnv, connectClient, spawnCli, textOf, type CliChild } from '../helpers/mcp-harness.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** Processes whose command line mentions `dir` (the provider's sandboxes run under it). */
function processesUnder(dir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(dir) && !line.includes('ps -eo'));
}

describe('daytona-tray mcp with no profile in its environment: the settings profile', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let cli: CliChild;
  let client: Client;

  beforeAll(async () => {
    dir = await tempDir('daytona-tray-mcp-settings-');
    // The user chose "Try locally" in the tray (or ran `daytona-tray login --profile local`).
    await writeFile(
      join(dir.path, 'settings.json'),
      JSON.stringify({ version: 1, activeProfile: 'local', profiles: { local: { kind: 'local' } } }),
    );
    cli = spawnCli(['mcp'], cleanEnv({ DAYTONA_TRAY_HOME: dir.path }), dir.path);
    client = await connectClient(new ChildStdioTransport(cli));
  });
  afterAll(async () => {
    await client?.close().catch(() => {});
    await cli?.kill();
    await dir?.cleanup();
  });

  it('serves the local profile by starting the embedded provider in-process, with working sandboxes', async () => {
    const created = await client.callTool({ name: 'create_sandbox', arguments: { name: 'from-settings' } });
    expect(created.isError, textOf(created)).not.toBe(true);
    const id = (created.structuredContent as { id: string }).id;
    const run = await client.callTool({ name: 'execute_command', arguments: { id, command: 'echo hello from $(id -un)' } });
    expect(textOf(run)).toContain('hello from daytona');
    const listed = await client.callTool({ name: 'list_sandboxes', arguments: {} });
    expect(textOf(listed)).toContain('from-settings');
  });

  it('stops that provider and its sandboxes when the server exits', async () => {
    expect(processesUnder(join(dir.path, 'local')).length).toBeGreaterThan(0);
    await client.close();
    await cli.kill();
    await expect.poll(() => processesUnder(join(dir.path, 'local')), { timeout: 15_000 }).toEqual([]);
  });
});
