/** The agent's wire format, provider side (agent-program.ts repeats these numbers: it can import nothing). */
export const HEADER = 9;
/** A frame larger than this is a broken or hostile peer: the connection is dropped. */
export const MAX_FRAME = 16 * 1024 * 1024;

export const FRAME = {
  // provider -> agent
  SPAWN: 1,
  STDIN: 2,
  STDIN_END: 3,
  SIGNAL: 4,
  REAP: 5,
  /** Starts a command on a pseudo-terminal inside the sandbox (node-pty, loaded from the path in the request). */
  PTY_SPAWN: 6,
  RESIZE: 7,
  // agent -> provider
  READY: 10,
  SPAWNED: 11,
  STDOUT: 12,
  STDERR: 13,
  EXIT: 14,
  CLOSE: 15,
  /** The agent took a command and is about to start it (written before the fork: no such word means it never ran). */
  ACCEPTED: 16,
} as const;

export function encodeFrame(type: number, id: number, payload: Buffer | string | object = Buffer.alloc(0)): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const header = Buffer.alloc(HEADER);
  header.writeUInt32BE(body.length, 0);
  header.writeUInt8(type, 4);
  header.writeUInt32BE(id, 5);
  return Buffer.concat([header, body]);
}

/** Cuts a byte stream into frames; throws on a frame over MAX_FRAME. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer, onFrame: (type: number, id: number, payload: Buffer) => void): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= HEADER) {
      const length = this.pending.readUInt32BE(0);
      if (length > MAX_FRAME) throw new Error(`the sandbox agent sent a ${length}-byte frame (at most ${MAX_FRAME})`);
      if (this.pending.length < HEADER + length) return;
      const type = this.pending.readUInt8(4);
      const id = this.pending.readUInt32BE(5);
      const payload = this.pending.subarray(HEADER, HEADER + length);
      this.pending = this.pending.subarray(HEADER + length);
      onFrame(type, id, payload);
    }
  }
}
