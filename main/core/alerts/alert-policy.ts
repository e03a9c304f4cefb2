import type { SandboxChange } from '../watcher/sandbox-diff.ts';
import type { Alert, AlertAction, AlertKind, AlertSettings, Notifier } from './alert-types.ts';
import { classifyChange, type ClassifyContext, type SandboxAlertEvent } from './classify.ts';
import { formatUsd } from '../billing/money.ts';

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface AlertPolicyOptions {
  notifier: Notifier;
  settings?: () => AlertSettings;
  now?: () => number;
  timers?: Timers;
  /** Real ms per interval minute (a function: the active profile may change). Default 60,000. */
  minuteMs?: number | (() => number);
  clockSkewMs?: number;
  maxAutoArchiveMinutes?: number;
  /** A burst is gathered this long before its one notification (default 3 s). */
  coalesceMs?: number;
  /** At most one notification of a kind this often; what arrives meanwhile joins the next one (default 60 s). */
  minGapMs?: number;
  /** And at most this many notifications of any kind per `windowMs` (default 4 per minute). */
  maxPerWindow?: number;
  windowMs?: number;
  /** The MCP server must be down this long before it is worth a notification (default 30 s). */
  mcpDownAfterMs?: number;
}

export interface BalanceReading {
  balanceCents: number;
  /** Estimated hours left at the current burn rate, when known. */
  hoursLeft?: number;
}

export interface AlertPolicy {
  /** Feed it every batch the watcher emits. */
  onChanges(changes: readonly SandboxChange[]): void;
  /** Feed it every balance reading; it warns once each time the balance crosses below the threshold. */
  onBalance(reading: BalanceReading): void;
  /** The organization is suspended for lack of credits (or no longer is). */
  onCreditsDepleted(depleted: boolean, reason?: string): void;
  onMcpStatus(up: boolean): void;
  /** Cancels pending timers (pending alerts are dropped). */
  dispose(): void;
}

type Item = { event: SandboxAlertEvent } | { account: Omit<Alert, 'at' | 'kind'> };

interface Pending {
  items: Map<string, Item>;
  timer: unknown;
}

const SANDBOX_KINDS: ReadonlySet<AlertKind> = new Set([
  'auto-stop',
  'auto-pause',
  'auto-archive',
  'auto-delete',
  'ttl-expired',
  'sandbox-error',
]);
const OPEN: AlertAction = { type: 'open-window', label: 'Open Daytona Tray' };

/**
 * Decides what is worth a notification: classifies watcher changes (classify.ts), warns on a low balance
 * once per crossing, on depleted credits, and on an MCP server down for 30 s. Bursts coalesce into one
 * notification ("5 sandboxes auto-stopped"); each kind is rate-limited, and what arrives during the
 * pause joins the next notification instead of being lost. Pure apart from the injected clock and notifier.
 */
export function createAlertPolicy(options: AlertPolicyOptions): AlertPolicy {
  const now = options.now ?? Date.now;
  const timers: Timers = options.timers ?? {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  };
  const settings = options.settings ?? ((): AlertSettings => ({}));
  const minuteMs = () => (typeof options.minuteMs === 'function' ? options.minuteMs() : (options.minuteMs ?? 60_000));
  const coalesceMs = options.coalesceMs ?? 3_000;
  const minGapMs = options.minGapMs ?? 60_000;
  const maxPerWindow = options.maxPerWindow ?? 4;
  const windowMs = options.windowMs ?? 60_000;
  const mcpDownAfterMs = options.mcpDownAfterMs ?? 30_000;

  const pending = new Map<AlertKind, Pending>();
  const lastSent = new Map<AlertKind, number>();
  let sentAt: number[] = [];
  let belowThreshold = false;
  let depletedNotified = false;
  let mcpTimer: unknown;
  let mcpNotified = false;
  let disposed = false;

  const enabled = (kind: AlertKind) => settings().enabled?.[kind] !== false;

  function enqueue(kind: AlertKind, key: string, item: Item): void {
    if (disposed || !enabled(kind)) return;
    let entry = pending.get(kind);
    if (!entry) pending.set(kind, (entry = { items: new Map(), timer: undefined }));
    entry.items.set(key, item);
    if (entry.timer !== undefined) return;
    const at = now();
    const gather = SANDBOX_KINDS.has(kind) ? coalesceMs : 0;
    const due = Math.max(at + gather, (lastSent.get(kind) ?? -Infinity) + minGapMs);
    arm(kind, entry, due - at);
  }

  function arm(kind: AlertKind, entry: Pending, delayMs: number): void {
    entry.timer = timers.setTimeout(() => flush(kind), Math.max(0, delayMs));
  }

  function flush(kind: AlertKind): void {
    const entry = pending.get(kind);
    if (!entry || disposed) return;
    entry.timer = undefined;
    // Switched off while it waited: drop it.
    if (!enabled(kind)) {
      pending.delete(kind);
      return;
    }
    const at = now();
    sentAt = sentAt.filter((time) => time > at - windowMs);
    if (sentAt.length >= maxPerWindow) {
      // Over the overall budget: wait for a slot; whatever arrives meanwhile merges into this one.
      arm(kind, entry, sentAt[0]! + windowMs - at);
      return;
    }
    pending.delete(kind);
    const alert = build(kind, [...entry.items.values()], at);
    lastSent.set(kind, at);
    sentAt.push(at);
    options.notifier.notify(alert);
  }

  function build(kind: AlertKind, items: Item[], at: number): Alert {
    const stamp = new Date(at).toISOString();
    const account = items.at(-1);
    if (account && 'account' in account) return { kind, ...account.account, at: stamp };
    const events = items.flatMap((item) => ('event' in item ? [item.event] : []));
    return { kind, ...describeSandboxes(kind, events, minuteMs()), at: stamp };
  }

  return {
    onChanges(changes) {
      const context: ClassifyContext = {
        now: now(),
        minuteMs: minuteMs(),
        ...(options.clockSkewMs !== undefined ? { clockSkewMs: options.clockSkewMs } : {}),
        ...(options.maxAutoArchiveMinutes !== undefined ? { maxAutoArchiveMinutes: options.maxAutoArchiveMinutes } : {}),
      };
      for (const change of changes) {
        const event = classifyChange(change, context);
        if (event) enqueue(event.kind, event.sandbox.id, { event });
      }
    },
    onBalance({ balanceCents, hoursLeft }) {
      const threshold = settings().lowBalanceThresholdCents ?? 0;
      if (balanceCents >= threshold) {
        belowThreshold = false;
        return;
      }
      if (belowThreshold) return;
      belowThreshold = true;
      const runway =
        hoursLeft !== undefined && Number.isFinite(hoursLeft) ? ` About ${formatHours(hoursLeft)} left at the current burn rate.` : '';
      enqueue('low-balance', 'account', {
        account: {
          title: 'Daytona balance is low',
          body: `${formatUsd(balanceCents / 100)} left, below your ${formatUsd(threshold / 100)} warning level.${runway} Top up to keep sandboxes running.`,
          sandboxIds: [],
          actions: [{ type: 'top-up', label: 'Top up' }, OPEN],
        },
      });
    },
    onCreditsDepleted(depleted, reason) {
      if (!depleted) {
        depletedNotified = false;
        return;
      }
      if (depletedNotified) return;
      depletedNotified = true;
      enqueue('credits-depleted', 'account', {
        account: {
          title: 'Daytona credits depleted',
          body: `Your organization is suspended${reason ? ` (${reason})` : ''}: creating and starting sandboxes fails until you top up, and running ones are stopped after a grace period.`,
          sandboxIds: [],
          actions: [{ type: 'top-up', label: 'Top up' }, OPEN],
        },
      });
    },
    onMcpStatus(up) {
      if (up) {
        if (mcpTimer !== undefined) timers.clearTimeout(mcpTimer);
        mcpTimer = undefined;
        mcpNotified = false;
        return;
      }
      if (mcpTimer !== undefined || mcpNotified || disposed) return;
      mcpTimer = timers.setTimeout(() => {
        mcpTimer = undefined;
        mcpNotified = true;
        enqueue('server-failed', 'account', {
          account: {
            title: 'Daytona MCP server is down',
            body: `AI clients cannot reach your sandboxes: the MCP server has been down for ${Math.round(mcpDownAfterMs / 1000)} s and did not come back.`,
            sandboxIds: [],
            actions: [{ type: 'restart-mcp', label: 'Restart server' }, OPEN],
          },
        });
      }, mcpDownAfterMs);
    },
    dispose() {
      disposed = true;
      for (const entry of pending.values()) if (entry.timer !== undefined) timers.clearTimeout(entry.timer);
      pending.clear();
      if (mcpTimer !== undefined) timers.clearTimeout(mcpTimer);
      mcpTimer = undefined;
    },
  };
}

const VERBS: Record<string, { title: string; verb: string }> = {
  'auto-stop': { title: 'auto-stopped', verb: 'stopped' },
  'auto-pause': { title: 'auto-paused', verb: 'paused' },
  'ttl-expired': { title: 'deleted at the end of their time to live', verb: 'were deleted' },
  'auto-archive': { title: 'auto-archived', verb: 'archived' },
  'auto-delete': { title: 'auto-deleted', verb: 'deleted' },
  'sandbox-error': { title: 'failed', verb: 'failed' },
};

function describeSandboxes(kind: AlertKind, events: SandboxAlertEvent[], minuteMs: number): Omit<Alert, 'kind' | 'at'> {
  const { title, verb } = VERBS[kind]!;
  const ids = events.map((event) => event.sandbox.id);
  const idle = (event: SandboxAlertEvent) => formatMinutes((event.idleMs ?? 0) / minuteMs);
  if (events.length === 1) {
    const event = events[0]!;
    const name = `"${event.sandbox.name}"`;
    const id = event.sandbox.id;
    switch (kind) {
      case 'auto-stop':
        return {
          title: 'Sandbox auto-stopped',
          body: `${name} stopped after ${idle(event)} idle (its auto-stop is ${formatMinutes(event.sandbox.autoStopInterval ?? 0)}). Its files are kept; restart it to continue.`,
          sandboxIds: ids,
          actions: [{ type: 'restart-sandbox', sandboxId: id, label: 'Restart' }, OPEN],
        };
      case 'auto-pause':
        return {
          title: 'Sandbox auto-paused',
          body: `${name} paused after ${idle(event)} idle (its auto-pause is ${formatMinutes(event.sandbox.autoPauseInterval ?? 0)}). Everything in it is kept as it was; resume it to continue.`,
          sandboxIds: ids,
          actions: [{ type: 'restart-sandbox', sandboxId: id, label: 'Resume' }, OPEN],
        };
      case 'ttl-expired':
        return {
          title: 'Sandbox reached its time to live',
          body: `${name} was deleted: its time to live ended${event.sandbox.createdAt ? ` (created ${event.sandbox.createdAt})` : ''}. Its files are gone.`,
          sandboxIds: ids,
          actions: [OPEN],
        };
      case 'auto-archive':
        return {
          title: 'Sandbox auto-archived',
          body: `${name} was archived after ${idle(event)} without activity. Starting it restores it (slower than a normal start).`,
          sandboxIds: ids,
          actions: [{ type: 'restart-sandbox', sandboxId: id, label: 'Start' }, OPEN],
        };
      case 'auto-delete':
        return {
          title: 'Sandbox auto-deleted',
          body: `${name} was deleted after ${idle(event)} idle${event.ephemeral ? ' (an ephemeral sandbox is deleted instead of stopped)' : ''}. Its files are gone.`,
          sandboxIds: ids,
          actions: [OPEN],
        };
      default:
        return {
          title: 'Sandbox failed',
          body: `${name} went into state error${event.errorReason ? `: ${event.errorReason}` : ''}.`,
          sandboxIds: ids,
          actions: [{ type: 'restart-sandbox', sandboxId: id, label: 'Restart' }, OPEN],
        };
    }
  }
  const names = listNames(events.map((event) => event.sandbox.name));
  const idles = events.filter((event) => event.idleMs !== undefined).map((event) => (event.idleMs ?? 0) / minuteMs);
  const range = idles.length === 0 ? '' : ` after ${formatRange(Math.min(...idles), Math.max(...idles))} idle`;
  return {
    title: `${events.length} sandboxes ${title}`,
    body: `${names} ${verb}${kind === 'sandbox-error' ? '' : range}.`,
    sandboxIds: ids,
    actions: [OPEN],
  };
}

function listNames(names: string[]): string {
  const quoted = names.map((name) => `"${name}"`);
  if (quoted.length <= 3) return quoted.length === 1 ? quoted[0]! : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
  return `${quoted.slice(0, 3).join(', ')} and ${quoted.length - 3} more`;
}

function formatRange(min: number, max: number): string {
  const low = formatMinutes(min);
  const high = formatMinutes(max);
  return low === high ? low : `${low} to ${high}`;
}

/** 14 min, 2 h 5 min, 3 d 4 h. */
export function formatMinutes(minutes: number): string {
  const total = Math.max(0, Math.round(minutes));
  if (total < 60) return `${total} min`;
  if (total < 24 * 60) {
    const rest = total % 60;
    return `${Math.floor(total / 60)} h${rest ? ` ${rest} min` : ''}`;
  }
  const hours = Math.floor((total % (24 * 60)) / 60);
  return `${Math.floor(total / (24 * 60))} d${hours ? ` ${hours} h` : ''}`;
}

function formatHours(hours: number): string {
  return formatMinutes(hours * 60);
}
