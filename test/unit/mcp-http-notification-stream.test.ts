import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpUpstream } from '../../main/mcp/bridge/http-upstream.ts';
import type { JsonRpcMessage } from '../../main/mcp/bridge/messages.ts';
import type { Upstream } from '../../main/mcp/bridge/upstream.ts';
import { startHttpServer, type HttpMcpServer } from '../../main/mcp/http-transport.ts';
import { createLogger } from '../../main/mcp/log.ts';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
} as const;

async function serve(options: { streamLossMs?: number; sessionIdleMs?: number } = {}) {
  const lines: string[] = [];
  const servers: McpServer[] = [];
  const server = await startHttpServer({
    createSession: () => {
      const session = new McpServer({ name: 'test', version: '1' }, { capabilities: { logging: {} } });
      servers.push(session);
      return session;
    },
    log: createLogger({ name: 'mcp', write: (line) => lines.push(line) }),
    ...options,
  });
  return { server, lines, servers };
}

/** A bridge's upstream with its session set up, as after a client's initialize + initialized. */
async function connect(server: HttpMcpServer, received: JsonRpcMessage[] = []): Promise<Upstream> {
  const upstream = createHttpUpstream({ url: server.url, token: server.token, onMessage: (message) => received.push(message) });
  await upstream.send(INITIALIZE);
  await upstream.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return upstream;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the bridge holds a notification stream, and the server reads its loss as the client leaving', () => {
  let server: HttpMcpServer | undefined;
  const upstreams: Upstream[] = [];
  afterEach(async () => {
    for (const upstream of upstreams.splice(0)) await upstream.close();
    await server?.close();
    server = undefined;
  });

  it("a message the server sends on its own (outside any request) reaches the bridge's client", async () => {
    const started = await serve();
    server = started.server;
    const received: JsonRpcMessage[] = [];
    upstreams.push(await connect(server, received));
    const session = started.servers[0]!;
    // The stream opens just after initialized: keep sending until it is there.
    await expect
      .poll(
        async () => {
          await session.server.sendLoggingMessage({ level: 'info', data: 'from the server' });
          return received.some((message) => message.method === 'notifications/message');
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe(true);
  });

  it('a dropped stream that the bridge reopens keeps the session', async () => {
    const started = await serve({ streamLossMs: 3000 });
    server = started.server;
    upstreams.push(await connect(server));
    await expect.poll(() => started.lines.some((line) => line.includes('opened')), { timeout: 5000 }).toBe(true);
    await sleep(300);
    server.http.closeAllConnections(); // the stream breaks; a live bridge reopens it within a second or two
    await sleep(4500);
    expect(server.sessionCount()).toBe(1);
    expect(started.lines.join('\n')).not.toContain('went away');
  });

  it('a session whose stream is gone for good is closed after the loss period, and says why', async () => {
    const started = await serve({ streamLossMs: 300 });
    server = started.server;
    const headers = { authorization: `Bearer ${server.token}`, accept: 'application/json, text/event-stream' };
    const init = await fetch(server.url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(INITIALIZE),
    });
    await init.body?.cancel();
    const session = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
    const stream = new AbortController();
    const get = await fetch(server.url, { headers: { ...session, accept: 'text/event-stream' }, signal: stream.signal });
    expect(get.status).toBe(200);
    await sleep(600);
    expect(server.sessionCount()).toBe(1); // an open stream, however silent, is a live client
    stream.abort(); // the client's process ends without a goodbye
    await expect.poll(() => server!.sessionCount(), { timeout: 10_000 }).toBe(0);
    expect(started.lines.join('\n')).toContain('closed (its client went away: the notification stream closed)');
  });

  it('the idle reaper spares a session that holds a stream, and reaps one that does not', async () => {
    const started = await serve({ sessionIdleMs: 200 });
    server = started.server;
    upstreams.push(await connect(server));
    await sleep(300);
    // A client that only POSTs (no stream), then stays silent.
    const bare = await fetch(server.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify(INITIALIZE),
    });
    await bare.body?.cancel();
    expect(server.sessionCount()).toBe(2);
    await expect.poll(() => server!.sessionCount(), { timeout: 10_000 }).toBe(1);
    await sleep(800);
    expect(server.sessionCount()).toBe(1);
    expect(started.lines.filter((line) => line.includes('closed (idle)'))).toHaveLength(1);
  });
});
