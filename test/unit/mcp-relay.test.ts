import { describe, expect, it } from 'vitest';
import type { Frame, JsonRpcMessage } from '../../main/mcp/bridge/messages.ts';
import { createRelay } from '../../main/mcp/bridge/relay.ts';
import { UpstreamBroken, UpstreamGone, type MessageSink, type Upstream } from '../../main/mcp/bridge/upstream.ts';
import { silentLogger } from '../../main/mcp/log.ts';

type Behaviour = 'answer' | 'gone' | 'broken';

/** A typed double of an upstream: answers requests with {from: name}, or fails the way it is told. */
function fakeUpstream(name: string, onMessage: MessageSink, behaviour: () => Behaviour): Upstream & { received: Frame[]; closed: boolean } {
  const double = {
    description: name,
    identity: name,
    received: [] as Frame[],
    closed: false,
    async send(frame: Frame) {
      const mode = behaviour();
      if (mode === 'gone') throw new UpstreamGone(`${name} is gone`);
      double.received.push(frame);
      const message = frame as JsonRpcMessage;
      if (mode === 'broken') throw new UpstreamBroken(`${name} broke`, message.id === undefined ? [] : [message.id as string]);
      if (message.id !== undefined && message.method) onMessage({ jsonrpc: '2.0', id: message.id, result: { from: name } });
    },
    async close() {
      double.closed = true;
    },
  };
  return double;
}

const initialize = {
  jsonrpc: '2.0' as const,
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
};
const call = (id: number) => ({ jsonrpc: '2.0' as const, id, method: 'tools/call', params: { name: 'list_sandboxes', arguments: {} } });

describe('bridge relay', () => {
  it('replays the client initialize on a new upstream, then retries the call there', async () => {
    const written: JsonRpcMessage[] = [];
    const servers: ReturnType<typeof fakeUpstream>[] = [];
    let firstGone = false;
    const relay = createRelay({
      log: silentLogger,
      write: (message) => written.push(message),
      async discover(onMessage) {
        const index = servers.length;
        const server = fakeUpstream(`http-${index}`, onMessage, () => (index === 0 && firstGone ? 'gone' : 'answer'));
        servers.push(server);
        return server;
      },
      inProcess: async () => {
        throw new Error('not expected');
      },
    });
    await relay.handle(initialize);
    await relay.handle(call(2));
    firstGone = true;
    await relay.handle(call(3));
    expect(written.map((m) => [m.id, (m.result as { from: string }).from])).toEqual([
      [1, 'http-0'],
      [2, 'http-0'],
      [3, 'http-1'],
    ]);
    const replayed = servers[1]!.received as JsonRpcMessage[];
    expect(replayed.map((m) => m.method)).toEqual(['initialize', 'notifications/initialized', 'tools/call']);
    expect(replayed[0]!.id).toMatch(/^daytona-tray-bridge:initialize:/);
    expect(replayed[0]!.params).toEqual(initialize.params);
    expect(servers[0]!.closed).toBe(true);
  });

  it('falls back in-process when the server it finds cannot be reached, and skips that server next time', async () => {
    const written: JsonRpcMessage[] = [];
    const skipped: (string | undefined)[] = [];
    const relay = createRelay({
      log: silentLogger,
      write: (message) => written.push(message),
      async discover(onMessage, skip) {
        skipped.push(skip);
        return skip === 'dead' ? undefined : fakeUpstream('dead', onMessage, () => 'gone');
      },
      inProcess: async (onMessage) => fakeUpstream('in-process', onMessage, () => 'answer'),
    });
    await relay.handle(initialize);
    expect(written).toEqual([{ jsonrpc: '2.0', id: 1, result: { from: 'in-process' } }]);
    expect(skipped).toEqual([undefined, 'dead']);
    expect(relay.current()).toBe('in-process');
  });

  it('answers a call the server dropped mid-way with an error, and reconnects on the next one', async () => {
    const written: JsonRpcMessage[] = [];
    let mode: Behaviour = 'answer';
    let connects = 0;
    const relay = createRelay({
      log: silentLogger,
      write: (message) => written.push(message),
      async discover(onMessage) {
        connects++;
        return fakeUpstream(`http-${connects}`, onMessage, () => mode);
      },
      inProcess: async () => {
        throw new Error('not expected');
      },
    });
    await relay.handle(initialize);
    mode = 'broken';
    await relay.handle(call(2));
    expect(written[1]).toMatchObject({
      id: 2,
      error: { code: -32000, message: expect.stringMatching(/stopped while handling this call.*may or may not have run/) },
    });
    mode = 'answer';
    await relay.handle(call(3));
    expect(written[2]).toEqual({ jsonrpc: '2.0', id: 3, result: { from: 'http-2' } });
  });

  it('never relays replay answers to the client and stops relaying once closed', async () => {
    const written: JsonRpcMessage[] = [];
    let upstream: ReturnType<typeof fakeUpstream> | undefined;
    const relay = createRelay({
      log: silentLogger,
      write: (message) => written.push(message),
      async discover(onMessage) {
        upstream = fakeUpstream('http', onMessage, () => 'answer');
        return upstream;
      },
      inProcess: async () => {
        throw new Error('not expected');
      },
    });
    await relay.handle(call(7)); // a client that skips initialize gets its answer anyway
    await relay.close();
    await relay.handle(call(8));
    expect(written.map((m) => m.id)).toEqual([7]);
    expect(upstream!.closed).toBe(true);
  });
});
