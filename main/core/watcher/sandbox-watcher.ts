import { backoffDelay, withJitter } from '../backoff.ts';
import { createDaytonaApi, type DaytonaApi, type DaytonaCredentials } from '../daytona-api/daytona-api.ts';
import { failureOf } from '../http/http-errors.ts';
import { listAllSandboxes } from './list-sandboxes.ts';
import { createRequestedActions, type RequestedActions } from './requested-actions.ts';
import { diffOne, diffSnapshots, type RequestedAction, type SandboxChange } from './sandbox-diff.ts';
import { parseSandbox, type WatchedSandbox } from './watched-sandbox.ts';
import { createEventStream, type SANDBOX_EVENTS } from './event-stream.ts';
import { fatalProblem, transientProblem, type WatcherProblem } from './watcher-problems.ts';

export { SANDBOX_EVENTS } from './event-stream.ts';
export type { WatcherProblem } from './watcher-problems.ts';

export const DEFAULT_POLL_MS = { visible: 5_000, hidden: 60_000 };
const DEFAULT_BACKOFF = { baseMs: 2_000, maxMs: 5 * 60_000 };
/** Wall time running ahead of monotonic time by this much between two checks means the machine slept. */
const SLEEP_GAP_MS = 5_000;

export interface WatcherStatus {
  state: 'starting' | 'running' | 'stopped' | 'unauthorized';
  /** The Socket.IO gateway: `off` when disabled, `down` while it cannot connect (polling carries on). */
  events: 'off' | 'connecting' | 'live' | 'down';
  /** When the last full listing arrived (epoch ms). */
  lastListingAt: number | undefined;
  /** The worst current problem (a polling failure outranks an events failure); undefined when all is well. */
  problem: WatcherProblem | undefined;
  /** Consecutive failed listings (drives the backoff). */
  failures: number;
}

export interface SandboxWatcherOptions {
  /** e.g. https://app.daytona.io/api */
  apiUrl: string;
  /** Asked before every listing and (re)connect, so a refreshed sign-in token is picked up. */
  credentials: () => DaytonaCredentials | Promise<DaytonaCredentials>;
  /** Shapes the 401 message: an API key is replaced, a sign-in is repeated. */
  credentialKind?: 'api-key' | 'sign-in';
  /** Poll period while the window is open / hidden (the safety net under the events). */
  pollMs?: { visible?: number; hidden?: number };
  visible?: boolean;
  /** `false` polls only (like the SDK's useDeprecatedPolling); `path` overrides `{apiUrl path}/socket.io/`. */
  events?: false | { path?: string };
  requested?: RequestedActions;
  backoff?: { baseMs?: number; maxMs?: number };
  requestTimeoutMs?: number;
  /** The profile's Daytona client (shared with billing and the sandbox buttons); made from apiUrl + credentials when absent. */
  api?: DaytonaApi;
  /** Wall clock (epoch ms). */
  now?: () => number;
  /** Monotonic clock; with `now` it detects sleep (wall time jumps, monotonic time does not). */
  monotonic?: () => number;
  random?: () => number;
  log?: (line: string) => void;
}

export interface SandboxWatcher {
  start(): void;
  /** Stops polling, closes the gateway connection and aborts a listing in flight. */
  stop(): Promise<void>;
  /** Lists now (coalesced with a listing already in flight). */
  refresh(): Promise<void>;
  /** After sleep or a network change: reconnect the gateway and list now. The shell calls it on resume/online. */
  wake(): void;
  setVisible(visible: boolean): void;
  sandboxes(): ReadonlyMap<string, WatchedSandbox>;
  status(): WatcherStatus;
  /** Remembers that this app asked for a stop (tray or MCP server), so it is not taken for an auto-stop. */
  noteRequestedStop(sandboxId: string): void;
  noteRequested(sandboxId: string, action: RequestedAction): void;
  onChanges(listener: (changes: SandboxChange[]) => void): () => void;
  onStatus(listener: (status: WatcherStatus) => void): () => void;
}

/**
 * Keeps one snapshot of the organization's sandboxes for the active profile: Socket.IO events for speed,
 * a full `GET /sandbox` listing as the safety net (every 5 s while the window is open, 60 s while hidden),
 * exponential backoff on 429/5xx/network errors, and a full stop on 401 (the key is wrong; retrying only
 * feeds Daytona's failed-auth throttler). Emits typed changes; see sandbox-diff.ts.
 */
export function createSandboxWatcher(options: SandboxWatcherOptions): SandboxWatcher {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  // A client made here is this watcher's to close; one passed in belongs to whoever made it.
  const ownApi = options.api ? undefined : createDaytonaApi({ apiUrl, credentials: options.credentials });
  const api = options.api ?? ownApi!;
  const now = options.now ?? Date.now;
  const monotonic = options.monotonic ?? (() => performance.now());
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => {});
  const requested = options.requested ?? createRequestedActions({ now });
  const wasRequested = (id: string, action: RequestedAction) => requested.wasRequested(id, action);
  const pollMs = { ...DEFAULT_POLL_MS, ...options.pollMs };
  const { baseMs, maxMs } = { ...DEFAULT_BACKOFF, ...options.backoff };
  const backoff = { initialMs: baseMs, maxMs };

  let current = new Map<string, WatchedSandbox>();
  let visible = options.visible ?? true;
  let started = false;
  let stopped = false;
  let listedOnce = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | undefined;
  let again = false;
  let abort = new AbortController();
  let lastCheck = { wall: now(), mono: monotonic() };
  // Events bump `seq`; a listing that started before an event about a sandbox must not overwrite it.
  let seq = 0;
  const touchedAt = new Map<string, number>();

  const status: WatcherStatus = {
    state: 'starting',
    events: options.events === false ? 'off' : 'connecting',
    lastListingAt: undefined,
    problem: undefined,
    failures: 0,
  };
  let eventsProblem: WatcherProblem | undefined;
  let pollProblem: WatcherProblem | undefined;
  const changeListeners = new Set<(changes: SandboxChange[]) => void>();
  const statusListeners = new Set<(status: WatcherStatus) => void>();

  function publishStatus(): void {
    status.problem = pollProblem ?? eventsProblem;
    const copy = { ...status };
    for (const listener of statusListeners) listener(copy);
  }

  function publish(changes: SandboxChange[]): void {
    if (changes.length === 0) return;
    for (const listener of changeListeners) {
      try {
        listener(changes);
      } catch (error) {
        log(`a change listener failed: ${(error as Error).message}`);
      }
    }
  }

  // ── listing ───────────────────────────────────────────────────────────

  function interval(): number {
    return visible ? pollMs.visible : pollMs.hidden;
  }

  function schedule(delayMs: number): void {
    if (timer) clearTimeout(timer);
    timer =
      stopped || status.state === 'unauthorized'
        ? undefined
        : setTimeout(() => {
            void refresh();
          }, delayMs);
  }

  function refresh(): Promise<void> {
    if (stopped || status.state === 'unauthorized') return Promise.resolve();
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      do {
        again = false;
        await listOnce();
      } while (again && !stopped);
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  async function listOnce(): Promise<void> {
    if (timer) clearTimeout(timer);
    detectSleep();
    const startSeq = seq;
    try {
      const listing = await listAllSandboxes(api, {
        signal: abort.signal,
        ...(options.requestTimeoutMs ? { timeoutMs: options.requestTimeoutMs } : {}),
      });
      if (stopped) return;
      applyListing(listing, startSeq);
      status.state = 'running';
      status.lastListingAt = now();
      status.failures = 0;
      pollProblem = undefined;
      publishStatus();
      schedule(interval());
    } catch (error) {
      if (stopped) return;
      const fatal = fatalProblem(error, options.credentialKind);
      if (fatal) {
        status.state = 'unauthorized';
        pollProblem = fatal;
        log(fatal.message);
        events.close();
        publishStatus();
        return;
      }
      status.failures++;
      if (status.state === 'starting' && status.failures > 1) status.state = 'running';
      const delay = nextDelay(status.failures, failureOf(error).retryAfterMs);
      pollProblem = transientProblem(error, delay);
      log(pollProblem.message);
      publishStatus();
      schedule(delay);
    }
  }

  function nextDelay(failures: number, retryAfterMs: number | undefined): number {
    const jittered = withJitter(backoffDelay(backoff, failures), random);
    return Math.round(Math.min(backoff.maxMs, Math.max(interval(), jittered, retryAfterMs ?? 0)));
  }

  function applyListing(listing: WatchedSandbox[], startSeq: number): void {
    const next = new Map<string, WatchedSandbox>();
    for (const sandbox of listing) {
      // An event newer than this listing already told us more about this sandbox: keep that.
      const fresher = (touchedAt.get(sandbox.id) ?? -1) > startSeq;
      const existing = current.get(sandbox.id);
      next.set(sandbox.id, fresher && existing ? existing : sandbox);
    }
    for (const [id, sandbox] of current) {
      // Created by an event while the listing was on its way: not gone, just not listed yet.
      if (!next.has(id) && (touchedAt.get(id) ?? -1) > startSeq) next.set(id, sandbox);
    }
    for (const [id, at] of touchedAt) if (at <= startSeq) touchedAt.delete(id);
    const changes = diffSnapshots(current, next, wasRequested, !listedOnce);
    current = next;
    listedOnce = true;
    publish(changes);
  }

  // ── events ────────────────────────────────────────────────────────────

  function applyEvent(name: (typeof SANDBOX_EVENTS)[number], payload: unknown): void {
    if (stopped) return;
    const record = (payload ?? {}) as { sandbox?: unknown; newState?: unknown };
    const sandbox = parseSandbox(name === 'sandbox.created' ? payload : record.sandbox);
    if (!sandbox) return;
    if (name === 'sandbox.state.updated' && typeof record.newState === 'string') sandbox.state = record.newState;
    touchedAt.set(sandbox.id, ++seq);
    const old = current.get(sandbox.id);
    const changes: SandboxChange[] = [];
    if (sandbox.state === 'destroyed') {
      if (!old) return;
      current.delete(sandbox.id);
      changes.push({ type: 'removed', old, requested: wasRequested(sandbox.id, 'delete') });
    } else if (!old) {
      current.set(sandbox.id, sandbox);
      changes.push({ type: 'added', sandbox, initial: false });
    } else {
      current.set(sandbox.id, sandbox);
      diffOne(old, sandbox, changes, wasRequested);
    }
    publish(changes);
  }

  const events = createEventStream({
    apiUrl,
    path: options.events === false ? undefined : options.events?.path,
    credentials: options.credentials,
    backoff,
    wanted: () => options.events !== false && !stopped && status.state !== 'unauthorized',
    onConnecting() {
      status.events = 'connecting';
      publishStatus();
    },
    onLive() {
      eventsProblem = undefined;
      status.events = 'live';
      publishStatus();
      // Whatever happened while we were not connected arrives by listing, not by event.
      void refresh();
    },
    onDown(reason) {
      status.events = 'down';
      eventsProblem = {
        kind: 'events',
        message: `Live updates are off: ${reason}. Polling every ${Math.round(interval() / 1000)} s instead.`,
      };
      publishStatus();
    },
    onEvent: applyEvent,
  });

  // ── sleep / wake ──────────────────────────────────────────────────────

  function detectSleep(): void {
    const wall = now();
    const mono = monotonic();
    const slept = wall - lastCheck.wall - (mono - lastCheck.mono) > SLEEP_GAP_MS;
    lastCheck = { wall, mono };
    if (slept && started && !stopped) {
      log('the machine slept: reconnecting the event stream');
      reconnectEvents();
    }
  }

  function reconnectEvents(): void {
    if (options.events === false || status.state === 'unauthorized') return;
    events.reconnect();
  }

  return {
    start() {
      // Starting again is how a watcher stopped by a 401 resumes once the credentials were replaced.
      if (started && !stopped && status.state !== 'unauthorized') return;
      started = true;
      stopped = false;
      status.state = 'starting';
      status.failures = 0;
      pollProblem = undefined;
      lastCheck = { wall: now(), mono: monotonic() };
      void refresh();
      void events.connect();
    },
    async stop() {
      stopped = true;
      status.state = 'stopped';
      if (timer) clearTimeout(timer);
      timer = undefined;
      abort.abort(new Error('The watcher stopped.'));
      events.close();
      if (options.events !== false) status.events = 'off';
      await inFlight?.catch(() => {});
      ownApi?.close();
      abort = new AbortController();
      publishStatus();
    },
    refresh,
    wake() {
      if (!started || stopped) return;
      reconnectEvents();
      void refresh();
    },
    setVisible(next) {
      if (next === visible) return;
      visible = next;
      if (!started || stopped || inFlight) return;
      const since = status.lastListingAt === undefined ? Infinity : now() - status.lastListingAt;
      if (since >= interval()) void refresh();
      else schedule(interval() - since);
    },
    sandboxes: () => current,
    status: () => ({ ...status, problem: pollProblem ?? eventsProblem }),
    noteRequestedStop: (id) => requested.noteRequestedStop(id),
    noteRequested: (id, action) => requested.note(id, action),
    onChanges(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
  };
}
