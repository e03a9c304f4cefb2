import { z } from 'zod';

/** The JSON-RPC envelope: the bridge relays messages without reading their params, so it checks only this much. */
const idSchema = z.union([z.string(), z.number()]);
const messageSchema = z.looseObject({
  jsonrpc: z.literal('2.0'),
  id: idSchema.nullable().optional(),
  method: z.string().min(1).optional(),
});

export type JsonRpcId = z.infer<typeof idSchema>;
export type JsonRpcMessage = z.infer<typeof messageSchema>;
/** One line of the stdio protocol: a message or (older clients) a batch of them. */
export type Frame = JsonRpcMessage | JsonRpcMessage[];

export const frameSchema = z.union([messageSchema, z.array(messageSchema).min(1)]);

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
