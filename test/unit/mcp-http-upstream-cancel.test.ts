import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpUpstream } from '../../main/mcp/bridge/http-upstream.ts';
import type { JsonRpcMessage } from '../../main/mcp/bridge/messages.ts';

/** A server that opens an SSE answer stream for each request and never answers it (as MCP does once it is cancelled). */
async function silentSseServer() {
  const streams: ServerResponse[] = [];
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(200).end();
        return;
      }
      const message = JSON.parse(body) as JsonRpcMessage;
      if (message.id === undefined) {
        res.writeHead(202).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': 's1' });
      res.write(
        `data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } })}\n\n`,
      );
      streams.push(res);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  return { url, streams, close: () => new Promise<void>((resolve) => http.close(() => resolve())) };
}

describe('bridge HTTP upstream and cancellations', () => {
  let server: Awaited<ReturnType<typeof silentSseServer>> | undefined;
  afterEach(async () => {
    for (const stream of server?.streams ?? []) stream.destroy();
    await server?.close();
  });

  it('a request the client cancels is owed nothing: its answer stream ends without an error for the client', async () => {
    server = await silentSseServer();
    const received: JsonRpcMessage[] = [];
    const upstream = createHttpUpstream({ url: server.url, token: 't', onMessage: (message) => received.push(message) });
    const call = upstream.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'execute_command', arguments: {} } });
    let settled = false;
    void call.finally(() => (settled = true)).catch(() => {});
    while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    await upstream.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7, reason: 'Esc' } });
    await expect(call).resolves.toBeUndefined();
    expect(received.map((message) => message.method)).toEqual(['notifications/progress']);
    await upstream.close();
  });
});
