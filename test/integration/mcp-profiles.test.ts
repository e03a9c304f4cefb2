import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../main/mcp/log.ts';
import type { DaytonaProfile } from '../../main/mcp/profile-source.ts';
import { createSdkDaytona } from '../../main/mcp/sdk-daytona.ts';
import { createServer } from '../../main/mcp/server.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { textOf } from '../helpers/mcp-harness.ts';

describe('MCP server profiles (createServer in-process, real SDK, local provider)', () => {
  let provider: TestProvider;
  let active: DaytonaProfile | undefined;
  const lines: string[] = [];
  const log = createLogger({ name: 'mcp', write: (line) => lines.push(line) });
  const daytona = createSdkDaytona({ profiles: { active: async () => active }, log });
  let client: Client;

  beforeAll(async () => {
    provider = await startTestProvider();
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createServer({ daytona, log }).connect(serverSide);
    client = new Client({ name: 'profiles-test', version: '0' });
    await client.connect(clientSide);
  });
  afterAll(async () => {
    await client?.close();
    await daytona.dispose();
    await provider?.stop();
  });

  const listSandboxes = async () => {
    const result = await client.callTool({ name: 'list_sandboxes', arguments: {} });
    return { isError: result.isError === true, text: textOf(result) };
  };

  it('asks the profile source on every call: none, then one appears', async () => {
    expect(await listSandboxes()).toMatchObject({ isError: true, text: expect.stringMatching(/^No Daytona profile is configured/) });
    active = { name: 'local', apiUrl: provider.provider.apiUrl, apiKey: provider.provider.apiKey };
    expect(await listSandboxes()).toMatchObject({ isError: false });
  });

  it('a rejected key (401) says to set a new one, without repeating it', async () => {
    active = { name: 'stale', apiUrl: provider.provider.apiUrl, apiKey: 'dtn_rejected_key_0123456789' };
    const result = await listSandboxes();
    expect(result.isError).toBe(true);
    expect(result.text).toBe(
      `API key rejected by Daytona at ${provider.provider.apiUrl}: set a new one with \`daytona-tray login\` (or in Daytona Tray's settings), then retry.`,
    );
    expect(lines.join('')).not.toContain('dtn_rejected_key_0123456789');
  });

  it('switching profiles disposes the previous SDK client', async () => {
    expect(lines.join('')).toContain(`closed the Daytona client for ${provider.provider.apiUrl}`);
    expect(lines.filter((line) => line.includes('using Daytona profile')).length).toBe(2);
  });

  it('an unreachable API says so', async () => {
    active = { name: 'gone', apiUrl: 'http://127.0.0.1:9/api', apiKey: 'k' };
    const result = await listSandboxes();
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(
      /^Could not list sandboxes: Daytona at http:\/\/127\.0\.0\.1:9\/api is unreachable .*Check the network connection/,
    );
  });
});
