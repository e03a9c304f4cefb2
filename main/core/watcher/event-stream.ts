import { io, type Socket } from 'socket.io-client';
import { backoffDelay, type Backoff } from '../backoff.ts';
import type { DaytonaCredentials } from '../daytona-api/daytona-api.ts';

/** The gateway's sandbox events (docs/daytona-api.md §5). */
export const SANDBOX_EVENTS = ['sandbox.created', 'sandbox.state.updated', 'sandbox.desired-state.updated'] as const;

export interface EventStreamOptions {
  /** e.g. https://app.daytona.io/api */
  apiUrl: string;
  /** Overrides `{apiUrl path}/socket.io/`. */
  path?: string | undefined;
  /** Asked at every (re)connect, so a refreshed sign-in token is used. */
  credentials: () => DaytonaCredentials | Promise<DaytonaCredentials>;
  backoff: Backoff;
  /** False while the stream must stay closed (the watcher stopped, or its credentials were refused). */
  wanted(): boolean;
  onConnecting(): void;
  /** Connected: whatever happened meanwhile must be listed, events only say what changes from now on. */
  onLive(): void;
  onDown(reason: string): void;
  onEvent(name: (typeof SANDBOX_EVENTS)[number], payload: unknown): void;
}

export interface EventStream {
  /** Connects unless connected (or connecting) already. */
  connect(): Promise<void>;
  /** After sleep or a network change: a new connection now, earlier failures forgotten. */
  reconnect(): void;
  close(): void;
}

/** Daytona's Socket.IO gateway, reconnected on our own backoff where Socket.IO gives up. */
export function createEventStream(options: EventStreamOptions): EventStream {
  let socket: Socket | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  async function connect(): Promise<void> {
    if (!options.wanted() || socket) return;
    let credentials: DaytonaCredentials;
    try {
      credentials = await options.credentials();
    } catch (error) {
      options.onDown(`could not get credentials for the event stream: ${(error as Error).message}`);
      return;
    }
    if (!options.wanted() || socket) return;
    const url = new URL(options.apiUrl);
    const path = options.path ?? `${url.pathname.replace(/\/+$/, '')}/socket.io/`;
    const created = io(url.origin, {
      path,
      transports: ['websocket'],
      // A function, so every reconnect sends the current token (a sign-in refreshes it).
      auth: (send) => {
        Promise.resolve(options.credentials()).then(
          (fresh) => send({ token: fresh.token }),
          () => send({}),
        );
      },
      query: { source: 'daytona-tray', ...(credentials.organizationId ? { organizationId: credentials.organizationId } : {}) },
      forceNew: true,
      timeout: 5_000,
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 30_000,
    });
    socket = created;
    options.onConnecting();
    created.on('connect', () => {
      failures = 0;
      options.onLive();
    });
    created.on('disconnect', (reason) => {
      if (!options.wanted()) return;
      options.onDown(`the event stream closed (${reason})`);
      // The server closed it on purpose: Socket.IO does not reconnect by itself then.
      if (reason === 'io server disconnect') retry();
    });
    created.on('connect_error', (error) => {
      if (!options.wanted()) return;
      options.onDown(`the event stream is unavailable (${error.message})`);
      // A refusal by the server's middleware (e.g. auth) is final for Socket.IO: retry on our own backoff.
      if (!created.active) retry();
    });
    for (const event of SANDBOX_EVENTS) created.on(event, (payload: unknown) => options.onEvent(event, payload));
  }

  function retry(): void {
    close();
    if (!options.wanted()) return;
    failures++;
    retryTimer = setTimeout(
      () => {
        retryTimer = undefined;
        void connect();
      },
      backoffDelay(options.backoff, failures),
    );
  }

  function close(): void {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = undefined;
    if (!socket) return;
    const closing = socket;
    socket = undefined;
    closing.removeAllListeners();
    closing.disconnect();
  }

  return {
    connect,
    reconnect() {
      close();
      failures = 0;
      void connect();
    },
    close,
  };
}
