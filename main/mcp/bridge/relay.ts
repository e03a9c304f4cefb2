import type { Logger } from '../log.ts';
import { errorResponse, isResponse, messagesOf, requestIds, type Frame, type JsonRpcId, type JsonRpcMessage } from './messages.ts';
import { UpstreamBroken, UpstreamGone, type MessageSink, type Upstream } from './upstream.ts';

/** Why there is no HTTP server to relay to, in words for the log ("DAYTONA_API_KEY is set for this client"). */
export interface NoServer {
  fallback: string;
}

export interface RelayOptions {
  /**
   * The running HTTP server (or one started for this call), unless there is none or its identity is `skip`
   * (the one that just failed); `undefined` or a NoServer that says why the tools are served in this process.
   */
  discover(onMessage: MessageSink, skip: string | undefined): Promise<Upstream | NoServer | undefined>;
  /** The same tools served in this process: the fallback that never fails to exist. */
  inProcess(onMessage: MessageSink): Promise<Upstream>;
  /** Writes one message to the client (stdout). */
  write(message: JsonRpcMessage): void;
  log: Logger;
  /** How long a replayed initialize may take on a new upstream. */
  replayTimeoutMs?: number;
}

export interface Relay {
  /** Handles one frame from the client; never rejects (failures become JSON-RPC errors for the client). */
  handle(frame: Frame): Promise<void>;
  /** The upstream in use, for logs and tests. */
  current(): string | undefined;
  close(): Promise<void>;
}

const GONE_RETRIES = 2;

/**
 * The bridge's core: relays client frames to an upstream and answers back, and when the upstream goes away
 * it connects again on the next frame (the HTTP server found anew, or in-process), replaying the client's
 * `initialize` so the new server holds a session the client never knew was replaced.
 */
export function createRelay(options: RelayOptions): Relay {
  const { log } = options;
  const replayTimeoutMs = options.replayTimeoutMs ?? 30_000;
  let upstream: Upstream | undefined;
  let connecting: Promise<Upstream> | undefined;
  let clientInitialize: JsonRpcMessage | undefined;
  let lastFailed: string | undefined;
  let replays = 0;
  let closed = false;
  const internal = new Map<JsonRpcId, (message: JsonRpcMessage) => void>();

  const onMessage: MessageSink = (message) => {
    if (isResponse(message) && message.id !== undefined && message.id !== null && internal.has(message.id)) {
      internal.get(message.id)!(message);
      return;
    }
    options.write(message);
  };

  /** Sends the client's initialize again (under our own id) and the initialized notification. */
  async function replayInitialize(target: Upstream): Promise<void> {
    if (!clientInitialize) return;
    const id = `daytona-tray-bridge:initialize:${++replays}`;
    const answered = new Promise<JsonRpcMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new UpstreamGone('the new MCP server did not answer initialize')), replayTimeoutMs);
      internal.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
    try {
      await target.send({ ...clientInitialize, id });
      const answer = await answered;
      if ('error' in answer) throw new UpstreamGone(`the new MCP server refused initialize: ${JSON.stringify(answer.error)}`);
      await target.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    } finally {
      internal.delete(id);
    }
  }

  async function connect(forInitialize: boolean): Promise<Upstream> {
    const discovered = await options.discover(onMessage, lastFailed);
    const found = discovered && !('fallback' in discovered) ? discovered : undefined;
    const why = discovered && 'fallback' in discovered ? discovered.fallback : 'no MCP server is running';
    if (found) {
      try {
        if (!forInitialize) await replayInitialize(found);
        log.info(`relaying to ${found.description}`);
        return found;
      } catch (error) {
        lastFailed = found.identity;
        log.warn(`cannot use ${found.description} (${(error as Error).message}); serving in this process instead`);
        await found.close().catch(() => {});
      }
    }
    const local = await options.inProcess(onMessage);
    if (!forInitialize) await replayInitialize(local);
    if (!found) log.info(`${why}: serving the tools in this process (${local.description})`);
    return local;
  }

  async function use(forInitialize: boolean): Promise<Upstream> {
    if (upstream) return upstream;
    connecting ??= connect(forInitialize).finally(() => {
      connecting = undefined;
    });
    upstream = await connecting;
    return upstream;
  }

  function answerWithError(ids: JsonRpcId[], message: string): void {
    for (const id of ids) options.write(errorResponse(id, -32000, message));
  }

  return {
    async handle(frame) {
      if (closed) return;
      const initialize = messagesOf(frame).find((m) => m.method === 'initialize' && m.id !== undefined);
      if (initialize) clientInitialize = initialize;
      for (let attempt = 0; ; attempt++) {
        let target: Upstream;
        try {
          target = await use(Boolean(initialize));
        } catch (error) {
          answerWithError(requestIds(frame), `The Daytona MCP bridge could not start a server: ${(error as Error).message}`);
          return;
        }
        try {
          await target.send(frame);
          return;
        } catch (error) {
          if (upstream === target) {
            upstream = undefined;
            lastFailed = target.identity;
            void target.close().catch(() => {});
          }
          if (error instanceof UpstreamGone && attempt < GONE_RETRIES) {
            log.warn(`${target.description} went away (${error.message}); reconnecting`);
            continue;
          }
          if (error instanceof UpstreamBroken) {
            log.warn(`${target.description} stopped mid-call (${error.message})`);
            answerWithError(
              error.unanswered,
              'The Daytona MCP server stopped while handling this call, so it may or may not have run. Check its effect, then retry: the next call reconnects.',
            );
            return;
          }
          answerWithError(
            requestIds(frame),
            `The Daytona MCP server could not be reached: ${(error as Error).message}. Retry in a moment.`,
          );
          return;
        }
      }
    },
    current: () => upstream?.description,
    async close() {
      closed = true;
      const target = upstream ?? (await connecting?.catch(() => undefined));
      upstream = undefined;
      await target?.close().catch(() => {});
    },
  };
}
