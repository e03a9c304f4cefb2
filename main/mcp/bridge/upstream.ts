import type { Frame, JsonRpcId, JsonRpcMessage } from './messages.ts';

/** Where the bridge sends the client's messages: the tray's HTTP server, or a server in this process. */
export interface Upstream {
  /** For logs: the URL, or "in-process". */
  readonly description: string;
  /** Differs between two servers even on the same port (it includes a digest of the token). */
  readonly identity: string;
  /**
   * Delivers one frame; the answers come through the `onMessage` given at creation. Resolves once every
   * answer for this frame has been passed on (HTTP) or once delivered (in-process).
   * Rejects with UpstreamGone when the frame never reached a server (safe to send elsewhere), or with
   * UpstreamBroken when the server went away after taking it (the call may have run).
   */
  send(frame: Frame): Promise<void>;
  close(): Promise<void>;
}

export type MessageSink = (message: JsonRpcMessage) => void;

/** The frame did not reach a live session: the server is gone, restarted, or no longer knows the session. */
export class UpstreamGone extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamGone';
  }
}

/** The server took the frame and then stopped answering: these request ids got no response. */
export class UpstreamBroken extends Error {
  readonly unanswered: JsonRpcId[];
  constructor(message: string, unanswered: JsonRpcId[]) {
    super(message);
    this.name = 'UpstreamBroken';
    this.unanswered = unanswered;
  }
}
