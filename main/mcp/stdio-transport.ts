import type { Readable, Writable } from 'node:stream';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface StdioOptions {
  stdin?: Readable;
  stdout?: Writable;
}

type RequestId = string | number;

/**
 * Serves `server` over newline-delimited JSON-RPC on stdin/stdout. When stdin ends (the client's goodbye)
 * the calls under way still finish and answer; then the server closes. Resolves when the session is over;
 * `stop()` ends it at once (parent gone, signal).
 */
export function serveStdio(server: McpServer, options: StdioOptions = {}): { done: Promise<void>; stop(): void } {
  const stdin = options.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  const pending = new Set<RequestId>();
  let inputEnded = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    void server
      .close()
      .catch(() => {})
      .finally(resolveDone);
  };
  const stopIfIdle = () => {
    if (inputEnded && pending.size === 0) stop();
  };

  void server.connect(transport).then(() => {
    // Count the requests still owed an answer (wrapping what connect() installed).
    const received = transport.onmessage;
    transport.onmessage = (message: JSONRPCMessage) => {
      if ('method' in message && 'id' in message) pending.add(message.id);
      received?.(message);
    };
    const send = transport.send.bind(transport);
    transport.send = async (message: JSONRPCMessage) => {
      await send(message);
      if (!('method' in message) && 'id' in message && message.id !== undefined) {
        pending.delete(message.id);
        stopIfIdle();
      }
    };
    const closed = transport.onclose;
    transport.onclose = () => {
      closed?.();
      stop();
    };
  });
  stdin.once('end', () => {
    inputEnded = true;
    stopIfIdle();
  });
  stdin.once('error', stop);
  return { done, stop };
}
