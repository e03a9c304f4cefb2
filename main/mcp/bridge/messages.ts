// Checked by hand, not with zod: the bridge runs once per AI client, and importing zod costs each one about
// 18 MB of resident memory for these few lines (see test/bench/shared-memory.bench.mjs).

/** The JSON-RPC envelope: the bridge relays messages without reading their params, so it checks only this much. */
export type JsonRpcId = string | number;
export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: JsonRpcId | null;
  method?: string;
  [key: string]: unknown;
}
/** One line of the stdio protocol: a message or (older clients) a batch of them. */
export type Frame = JsonRpcMessage | JsonRpcMessage[];

function isMessage(value: unknown): value is JsonRpcMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { jsonrpc, id, method } = value as Record<string, unknown>;
  if (jsonrpc !== '2.0') return false;
  if (id !== undefined && id !== null && typeof id !== 'string' && typeof id !== 'number') return false;
  return method === undefined || (typeof method === 'string' && method.length > 0);
}

/** The frame `value` is (one message, or a non-empty batch), or undefined when it is not one. */
export function toFrame(value: unknown): Frame | undefined {
  if (Array.isArray(value)) return value.length > 0 && value.every(isMessage) ? value : undefined;
  return isMessage(value) ? value : undefined;
}

export function messagesOf(frame: Frame): JsonRpcMessage[] {
  return Array.isArray(frame) ? frame : [frame];
}

/** Ids of the requests in a frame: each of them is owed exactly one response. */
export function requestIds(frame: Frame): JsonRpcId[] {
  return messagesOf(frame)
    .filter((m) => m.method !== undefined && m.id !== undefined && m.id !== null)
    .map((m) => m.id as JsonRpcId);
}

export function isResponse(message: JsonRpcMessage): boolean {
  return message.method === undefined && ('result' in message || 'error' in message);
}

export function errorResponse(id: JsonRpcId | null, code: number, message: string): JsonRpcMessage {
  return { jsonrpc: '2.0', id, error: { code, message } };
}
