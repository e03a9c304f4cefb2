import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { ChildStdioTransport, cleanEnv, connectClient, spawnCli, textOf, type CliChild } from '../helpers/mcp-harness.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** start_sandbox and stop_sandbox from the states Daytona refuses a plain start or stop in. */
describe('start_sandbox and stop_sandbox meet sandboxes where they are', () => {
  let provider: TestProvider;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let bridge: CliChild;
  let client: Client;

  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    return { isError: Boolean(result.isError), text: textOf(result), data: result.structuredContent as { state?: string } };
  };

  beforeAll(async () => {
    provider = await startTestProvider();
    dir = await tempDir('daytona-tray-mcp-states-');
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
  }, 120_000);
  afterAll(async () => {
    await client?.close().catch(() => {});
    await bridge?.kill();
    await provider?.stop();
    await dir?.cleanup();
  });

  it('stop_sandbox on an archived sandbox succeeds and leaves it archived (Daytona refuses to stop one)', async () => {
    const sandbox = await provider.daytona.create({ name: 'archived-box' });
    await sandbox.stop();
    await sandbox.archive();
    await sandbox.refreshData();
    expect(sandbox.state).toBe('archived');
    const stopped = await call('stop_sandbox', { id: sandbox.id });
    expect(stopped.isError, stopped.text).toBe(false);
    expect(stopped.data.state).toBe('archived');
    expect(stopped.text).toContain('start_sandbox brings it back');
  });

  it('a sandbox in a recoverable error: tools say start_sandbox recovers it, and start_sandbox does', async () => {
    const sandbox = await provider.daytona.create({ name: 'errored-box' });
    await sandbox.fs.uploadFile(Buffer.from('kept'), 'kept.txt');
    await sandbox.stop();
    // As a provider restart finds a sandbox whose runtime failed: its metadata says error (same address and key).
    const { apiUrl, apiKey, port } = provider.provider;
    await provider.provider.close();
    const file = join(provider.dataDir, 'meta', `${sandbox.id}.json`);
    const record = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...record, state: 'error', desiredState: 'started', errorReason: 'disk went away' }));
    const first = provider;
    const restarted = await startTestProvider({ dataDir: provider.dataDir, port, apiKey });
    provider = { ...restarted, stop: () => restarted.stop().then(() => first.stop()) };
    expect(restarted.provider.apiUrl).toBe(apiUrl);

    const refused = await call('execute_command', { id: sandbox.id, command: 'cat kept.txt' });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('is error: it failed (disk went away), recoverably: start_sandbox recovers it, then retry.');
    const started = await call('start_sandbox', { id: sandbox.id });
    expect(started.isError, started.text).toBe(false);
    expect(started.data.state).toBe('started');
    const run = await call('execute_command', { id: sandbox.id, command: 'cat kept.txt' });
    expect(run.text).toContain('kept');
  });
});
