import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../log.ts';
import { dirname, join } from 'node:path';
import { findOrStartServer } from './find-or-start.ts';
import { createInProcessUpstream } from './in-process-upstream.ts';
import { errorResponse, toFrame, type JsonRpcMessage } from './messages.ts';
import { createRelay } from './relay.ts';

/** The shared server's log, beside the runtime file. */
export const SHARED_LOG_NAME = 'mcp-shared.log';

export interface BridgeOptions {
  runtimeFile: string;
  env: NodeJS.ProcessEnv;
  /** How to run the CLI for a shared server: this bridge's own executable and script. */
  execPath: string;
  cliScript: string;
  /** What comes before `mcp` instead of the script (shared-start.ts). */
  launchArgs?: readonly string[];
  log: Logger;
  /** The tool groups this client gets (`bridge --tools`); default: every group the server offers. */
  tools?: readonly string[];
  stdin?: Readable;
  stdout?: Writable;
  /** Longest line accepted from the client (default 16 MiB). */
  maxLineBytes?: number;
}

/**
 * Runs the stdio bridge until stdin ends (or `stop()` is called): each line from the client is one JSON-RPC
 * frame, relayed; each answer is written back as one line. Nothing else ever reaches stdout.
 */
export function runBridge(options: BridgeOptions): { done: Promise<void>; stop(): void } {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024;
  const write = (message: JsonRpcMessage) => {
    if (!stdout.writableEnded) stdout.write(`${JSON.stringify(message)}\n`);
  };
  const relay = createRelay({
    discover: findOrStartServer({
      runtimeFile: options.runtimeFile,
      env: options.env,
      log: options.log,
      ...(options.tools ? { tools: options.tools } : {}),
      // Loaded only when no server runs: node:child_process costs every bridge start ~5 ms of CPU.
      startShared: async () =>
        (await import('./shared-start.ts')).startSharedServer({
          execPath: options.execPath,
          cliScript: options.cliScript,
          ...(options.launchArgs ? { launchArgs: options.launchArgs } : {}),
          env: options.env,
          logFile: join(dirname(options.runtimeFile), SHARED_LOG_NAME),
        }),
    }),
    inProcess: (onMessage) =>
      createInProcessUpstream({ env: options.env, log: options.log, onMessage, ...(options.tools ? { tools: options.tools } : {}) }),
    write,
    log: options.log,
  });
  const inFlight = new Set<Promise<void>>();

  const onLine = (line: string) => {
    if (line.trim() === '') return;
    let frame;
    try {
      const parsed = toFrame(JSON.parse(line));
      if (!parsed) {
        write(errorResponse(null, -32600, 'Invalid Request: each line must be one JSON-RPC 2.0 message.'));
        return;
      }
      frame = parsed;
    } catch {
      write(errorResponse(null, -32700, 'Parse error: each line must be one JSON object.'));
      return;
    }
    const handled = relay.handle(frame).finally(() => inFlight.delete(handled));
    inFlight.add(handled);
  };

  let buffer = '';
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    stdin.off('data', onData);
    void relay.close().finally(resolveDone);
  };
  const onData = (chunk: Buffer | string) => {
    buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let newline: number;
    while ((newline = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      onLine(line);
    }
    if (buffer.length > maxLineBytes) {
      buffer = '';
      write(
        errorResponse(
          null,
          -32600,
          `Invalid Request: a message longer than ${maxLineBytes} bytes was dropped; send big files with localPath.`,
        ),
      );
    }
  };
  stdin.on('data', onData);
  // End of input is the client's goodbye: finish the calls already under way (the client may still read
  // their answers, and kills us if it will not wait), then stop.
  stdin.once('end', () => {
    if (buffer.trim()) onLine(buffer);
    buffer = '';
    void Promise.allSettled([...inFlight]).then(stop);
  });
  stdin.once('error', stop);
  return { done, stop };
}
