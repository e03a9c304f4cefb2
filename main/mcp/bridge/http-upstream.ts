import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http';
import { errorResponse, isResponse, messagesOf, requestIds, toFrame, type Frame, type JsonRpcId, type JsonRpcMessage } from './messages.ts';
import { createSseParser } from './sse.ts';
import { TOOLS_HEADER } from '../tools-header.ts';
import { UpstreamBroken, UpstreamGone, type MessageSink, type Upstream } from './upstream.ts';

export interface HttpUpstreamOptions {
  url: string;
  token: string;
  onMessage: MessageSink;
  /** The tool groups this client asked for (`bridge --tools`), sent with every request as TOOLS_HEADER. */
  tools?: readonly string[];
  /** Which server this is, for the log beside its URL ("the shared MCP server, pid 123"). */
  name?: string;
  /** A response stream silent this long is dead (the server sends a keep-alive every 15 s). */
  idleTimeoutMs?: number;
}

const STATUS_GONE = new Set([401, 404]);
/** Reopening a dropped notification stream: this many tries, 1 s further apart each time. */
const STREAM_RETRIES = 5;

/**
 * Relays frames to a Streamable HTTP MCP server: one POST per frame, answers read from the JSON or SSE
 * response and passed on as they arrive. Keeps the session id and protocol version the server gave.
 */
export function createHttpUpstream(options: HttpUpstreamOptions): Upstream {
  const url = new URL(options.url);
  const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  let sessionId: string | undefined;
  let protocolVersion: string | undefined;
  let closed = false;
  let stream: ClientRequest | undefined;
  let streamRetries = 0;
  /** The unanswered request ids of each POST in flight, by request id: a cancellation settles its id there. */
  const awaiting = new Map<JsonRpcId, { pending: Set<JsonRpcId>; settle(): void }>();

  const headers = (extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${options.token}`,
    ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
    ...(protocolVersion ? { 'mcp-protocol-version': protocolVersion } : {}),
    ...(options.tools ? { [TOOLS_HEADER]: options.tools.join(',') } : {}),
    ...extra,
  });

  function deliver(message: JsonRpcMessage, pending: Set<JsonRpcId>): void {
    if (isResponse(message) && message.id !== undefined && message.id !== null) {
      pending.delete(message.id);
      const version = (message.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
      if (typeof version === 'string' && !protocolVersion) protocolVersion = version;
    }
    options.onMessage(message);
  }

  function readBody(response: IncomingMessage, pending: Set<JsonRpcId>): Promise<void> {
    const type = String(response.headers['content-type'] ?? '');
    response.setEncoding('utf8');
    return new Promise<void>((resolve, reject) => {
      const fail = (why: string) => (pending.size > 0 ? reject(new UpstreamBroken(why, [...pending])) : resolve());
      let ended = false;
      // A cancelled request gets no answer (MCP): once nothing else is owed, this stream is done with.
      const entry = {
        pending,
        settle: () => {
          if (pending.size > 0) return;
          ended = true;
          response.destroy();
          resolve();
        },
      };
      for (const id of pending) awaiting.set(id, entry);
      let text = '';
      const sse = type.includes('text/event-stream')
        ? createSseParser((data) => {
            const parsed = parseFrame(data);
            if (parsed) for (const message of messagesOf(parsed)) deliver(message, pending);
          })
        : undefined;
      response.on('data', (chunk: string) => {
        if (sse) sse.push(chunk);
        else text += chunk;
      });
      response.once('error', (error) => fail(`the answer stream failed: ${error.message}`));
      response.once('close', () => {
        if (!ended) fail('the MCP server closed the connection mid-answer');
      });
      response.once('end', () => {
        ended = true;
        if (sse) sse.end();
        else if (text.trim()) {
          const parsed = parseFrame(text);
          if (parsed) for (const message of messagesOf(parsed)) deliver(message, pending);
        }
        if (pending.size > 0) fail('the MCP server ended the answer without responding');
        else resolve();
      });
    });
  }

  /**
   * Holds the session's notification stream (GET): the server's own messages reach the client through it, and its
   * connection tells the server this bridge is alive (a killed bridge frees its session within seconds).
   */
  function openStream(): void {
    if (closed || !sessionId || stream) return;
    const retry = () => {
      stream = undefined;
      if (closed || streamRetries >= STREAM_RETRIES) return;
      streamRetries += 1;
      setTimeout(openStream, 1000 * streamRetries).unref();
    };
    const req = request(url, { method: 'GET', agent, headers: headers({ accept: 'text/event-stream' }) }, (response) => {
      if (response.statusCode !== 200) {
        // 404/401: the next POST finds out and reconnects; 405: a server without streams; 409: one is open already.
        response.resume();
        if (response.statusCode === 409) retry();
        else stream = undefined;
        return;
      }
      streamRetries = 0;
      const sse = createSseParser((data) => {
        const parsed = parseFrame(data);
        if (parsed) for (const message of messagesOf(parsed)) options.onMessage(message);
      });
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => sse.push(chunk));
      response.once('close', retry);
    });
    req.once('error', retry);
    req.end();
    stream = req;
  }

  /** The client gave up on these requests: they are owed nothing more. */
  function settleCancelled(frame: Frame): void {
    for (const message of messagesOf(frame)) {
      if (message.method !== 'notifications/cancelled') continue;
      const id = (message.params as { requestId?: JsonRpcId } | undefined)?.requestId;
      const entry = id === undefined ? undefined : awaiting.get(id);
      if (!entry || id === undefined) continue;
      awaiting.delete(id);
      entry.pending.delete(id);
      entry.settle();
    }
  }

  async function send(frame: Frame): Promise<void> {
    if (closed) throw new UpstreamGone('the connection to the MCP server is closed');
    settleCancelled(frame);
    const pending = new Set(requestIds(frame));
    const body = JSON.stringify(frame);
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: headers({
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'content-length': String(Buffer.byteLength(body)),
          }),
        },
        resolve,
      );
      // Socket idle time, for the whole exchange: the answer stream carries a keep-alive every 15 s.
      req.setTimeout(idleTimeoutMs, () => req.destroy(new Error(`no answer for ${idleTimeoutMs / 1000} s`)));
      req.once('error', (error: NodeJS.ErrnoException) => {
        // Before any response the server never took the frame (it is gone, or was never there).
        reject(new UpstreamGone(`cannot reach the MCP server at ${url.origin}: ${error.code ?? error.message}`));
      });
      req.end(body);
    });
    const status = response.statusCode ?? 0;
    if (status === 200 && response.headers['mcp-session-id'] && !sessionId) sessionId = String(response.headers['mcp-session-id']);
    if (requestIds(frame).length === 0 && sessionId) openStream(); // after notifications/initialized, as MCP clients do
    if (status === 200 || status === 202) {
      try {
        await readBody(response, pending);
      } finally {
        for (const id of requestIds(frame)) awaiting.delete(id);
      }
      return;
    }
    const text = await drain(response);
    if (STATUS_GONE.has(status)) {
      throw new UpstreamGone(
        `the MCP server answered ${status} (${status === 404 ? 'it no longer knows this session' : 'the token changed'})`,
      );
    }
    // Any other refusal is about this frame: answer each request with the server's reason.
    const reason = serverReason(text) ?? `HTTP ${status}`;
    for (const id of pending) options.onMessage(errorResponse(id, -32603, `The Daytona MCP server refused the request: ${reason}`));
  }

  return {
    description: options.name ? `${options.url} (${options.name})` : options.url,
    identity: `${options.url}#${fingerprint(options.token)}`,
    send,
    async close() {
      if (closed) return;
      closed = true;
      stream?.destroy();
      if (sessionId) {
        // Best effort: tell the server the session is over so it frees it now rather than at idle expiry.
        await new Promise<void>((resolve) => {
          const req = request(url, { method: 'DELETE', agent, headers: headers() }, (response) => {
            response.resume();
            response.once('end', resolve);
          });
          req.setTimeout(1000, () => req.destroy());
          req.once('error', () => resolve());
          req.once('close', () => resolve());
          req.end();
        });
      }
      agent.destroy();
    },
  };
}

/**
 * Tells two tokens apart without putting either in the identity (FNV-1a, 32 bits). Not a security use: the
 * identity only marks the server that just failed. node:crypto would cost every bridge start ~8 ms of CPU.
 */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

function parseFrame(text: string): Frame | undefined {
  try {
    return toFrame(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function serverReason(text: string): string | undefined {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

function drain(response: IncomingMessage): Promise<string> {
  response.setEncoding('utf8');
  return new Promise((resolve) => {
    let text = '';
    response.on('data', (chunk: string) => {
      if (text.length < 64 * 1024) text += chunk;
    });
    response.once('end', () => resolve(text));
    response.once('error', () => resolve(text));
    response.once('close', () => resolve(text));
  });
}
