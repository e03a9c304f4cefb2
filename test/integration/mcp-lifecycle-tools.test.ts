import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../main/mcp/log.ts';
import { createSdkDaytona } from '../../main/mcp/sdk-daytona.ts';
import { createServer } from '../../main/mcp/server.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { textOf } from '../helpers/mcp-harness.ts';

/** The parameters of Daytona's own MCP create_sandbox tool (its CLI's mcp/tools/create_sandbox.go, 2026 clients). */
const DAYTONA_CREATE_PARAMS = [
  'id',
  'name',
  'target',
  'snapshot',
  'user',
  'env',
  'labels',
  'public',
  'cpu',
  'gpu',
  'memory',
  'disk',
  'autoStopInterval',
  'ttlMinutes',
  'autoPauseInterval',
  'autoArchiveInterval',
  'autoDeleteInterval',
  'volumes',
  'buildInfo',
  'networkBlockAll',
  'networkAllowList',
];

describe('MCP lifecycle tools: create_sandbox in full, pause_sandbox, fork_sandbox (real MCP client, real SDK, local provider)', () => {
  let provider: TestProvider;
  let client: Client;
  const daytona = createSdkDaytona({
    profiles: { active: async () => ({ name: 'local', apiUrl: provider.provider.apiUrl, apiKey: provider.provider.apiKey }) },
    log: createLogger({ name: 'mcp', write: () => {} }),
  });
  const created: string[] = [];

  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    return { text: textOf(result), isError: result.isError === true, data: result.structuredContent as any };
  };
  const ok = async (name: string, args: Record<string, unknown>) => {
    const outcome = await call(name, args);
    expect(outcome.isError, `${name} failed: ${outcome.text}`).toBe(false);
    if (name === 'create_sandbox' || name === 'fork_sandbox') created.push(outcome.data.id);
    return outcome;
  };

  beforeAll(async () => {
    provider = await startTestProvider({ minuteMs: 60_000 });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createServer({ daytona, log: createLogger({ name: 'mcp', write: () => {} }) }).connect(serverSide);
    client = new Client({ name: 'lifecycle-tools-test', version: '0' });
    await client.connect(clientSide);
  });
  afterAll(async () => {
    for (const id of created) await client?.callTool({ name: 'destroy_sandbox', arguments: { id } }).catch(() => {});
    await client?.close();
    await daytona.dispose();
    await provider?.stop();
  });

  it("create_sandbox takes every parameter of Daytona's own tool; pause_sandbox and fork_sandbox are sandbox tools", async () => {
    const { tools } = await client.listTools();
    const create = tools.find((tool) => tool.name === 'create_sandbox')!;
    expect(Object.keys(create.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(DAYTONA_CREATE_PARAMS));
    for (const name of ['pause_sandbox', 'fork_sandbox']) {
      const tool = tools.find((candidate) => candidate.name === name);
      expect(tool, name).toBeDefined();
      expect(tool!.inputSchema.required).toContain('id');
    }
  });

  it('passes autoPauseInterval and ttlMinutes through (auto-stop then off), and refuses both idle actions at once', async () => {
    const { data, text } = await ok('create_sandbox', { name: 'mcp-pausing', autoPauseInterval: 30, ttlMinutes: 120 });
    expect(data).toMatchObject({ autoPauseInterval: 30, autoStopInterval: 0 });
    expect(Date.parse(data.autoDestroyAt)).toBeGreaterThan(Date.now());
    expect(text).toContain('auto-pauses after 30 min idle');
    const both = await call('create_sandbox', { name: 'mcp-both', autoStopInterval: 5, autoPauseInterval: 5 });
    expect(both.isError).toBe(true);
    expect(both.text).toMatch(/at most one of autoStopInterval and autoPauseInterval/);
  });

  it('pause_sandbox freezes a sandbox; a command then says to start it; start_sandbox resumes it', async () => {
    const { data } = await ok('create_sandbox', { name: 'mcp-pause' });
    const paused = await ok('pause_sandbox', { id: data.id });
    expect(paused.data.state).toBe('paused');
    expect(paused.text).toContain('start_sandbox resumes it');
    const refused = await call('execute_command', { id: data.id, command: 'echo hi' });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/paused.*start/);
    expect((await ok('start_sandbox', { id: data.id })).data.state).toBe('started');
    expect((await ok('execute_command', { id: data.id, command: 'echo back' })).text).toContain('back');
    // set_auto_stop switches auto-stop off and auto-pause on in one call (in the order Daytona accepts), and sets a TTL.
    const set = await ok('set_auto_stop', { id: data.id, autoStopInterval: 0, autoPauseInterval: 10, ttlMinutes: 60 });
    expect(set.data).toMatchObject({ autoStopInterval: 0, autoPauseInterval: 10 });
    expect(Date.parse(set.data.autoDestroyAt)).toBeGreaterThan(Date.now());
    const back = await ok('set_auto_stop', { id: data.id, autoStopInterval: 15, autoPauseInterval: 0, ttlMinutes: 0 });
    expect(back.data).toMatchObject({ autoStopInterval: 15, autoPauseInterval: 0 });
    expect(back.data.autoDestroyAt).toBeUndefined();
  });

  it("fork_sandbox returns a started copy with the parent's files, which then goes its own way", async () => {
    const { data: parent } = await ok('create_sandbox', { name: 'mcp-fork-parent' });
    await ok('file_upload', { id: parent.id, filePath: 'work/state.txt', content: 'step 1\n' });
    const fork = await ok('fork_sandbox', { id: parent.id, name: 'mcp-fork-child' });
    expect(fork.data).toMatchObject({ name: 'mcp-fork-child', state: 'started' });
    expect(fork.data.id).not.toBe(parent.id);
    expect((await ok('execute_command', { id: fork.data.id, command: 'cat work/state.txt' })).text).toContain('step 1');
    await ok('execute_command', { id: fork.data.id, command: 'echo step 2 >> work/state.txt' });
    expect((await ok('execute_command', { id: parent.id, command: 'cat work/state.txt' })).text).not.toContain('step 2');
  });

  it('builds from buildInfo.dockerfileContent, refuses contextHashes it cannot upload, and hands volumes to the provider', async () => {
    const built = await ok('create_sandbox', { name: 'mcp-dockerfile', buildInfo: { dockerfileContent: 'FROM python:3.12-slim\n' } });
    expect((await provider.daytona.get(built.data.id)).buildInfo?.dockerfileContent).toContain('FROM python:3.12-slim');
    const context = await call('create_sandbox', { buildInfo: { dockerfileContent: 'FROM alpine\n', contextHashes: ['abc'] } });
    expect(context.isError).toBe(true);
    expect(context.text).toMatch(/contextHashes are not supported/);
    // The provider decides about volumes (a missing one is refused by name, whichever way it answers).
    const volume = await call('create_sandbox', { name: 'mcp-volume', volumes: [{ volumeId: 'no-such-volume', mountPath: '/mnt/data' }] });
    expect(volume.isError).toBe(true);
    expect(volume.text).toMatch(/[Vv]olume/);
  });
});
