import type { SandboxChange } from '../watcher/sandbox-diff.ts';
import type { WatchedSandbox } from '../watcher/watched-sandbox.ts';

/** Daytona's ceiling for auto-archive, used when a sandbox says 0 ("the maximum"); /config maxAutoArchiveInterval. */
export const DEFAULT_MAX_AUTO_ARCHIVE_MINUTES = 43_200;

export type SandboxAlertKind = 'auto-stop' | 'auto-pause' | 'auto-archive' | 'auto-delete' | 'ttl-expired' | 'sandbox-error';

/** One sandbox's reason to notify, before coalescing. */
export interface SandboxAlertEvent {
  kind: SandboxAlertKind;
  /** The sandbox as it was before the change (name, resources, idle clock). */
  sandbox: WatchedSandbox;
  /** How long it had been idle when it changed, in real milliseconds. */
  idleMs?: number;
  /** Ephemeral sandboxes (auto-delete 0) are deleted instead of stopped when idle. */
  ephemeral?: boolean;
  errorReason?: string;
}

export interface ClassifyContext {
  /** Epoch ms of the decision. */
  now: number;
  /** Real milliseconds per interval minute: 60,000, or less on a local provider with scaled time. */
  minuteMs?: number;
  /**
   * How far the server's clock may run ahead of ours. A deadline this close (capped at a tenth of the
   * interval) still counts as reached: Daytona's jobs run every 10 s, so they fire after the deadline anyway.
   */
  clockSkewMs?: number;
  maxAutoArchiveMinutes?: number;
}

const ERROR_STATES: ReadonlySet<string> = new Set(['error', 'build_failed']);
const STOPPING: ReadonlySet<string> = new Set(['stopping', 'stopped']);
const PAUSING: ReadonlySet<string> = new Set(['pausing', 'paused']);
const ARCHIVING: ReadonlySet<string> = new Set(['archiving', 'archived']);
const DELETING: ReadonlySet<string> = new Set(['destroying', 'destroyed']);

/**
 * Daytona does not say why a sandbox stopped (docs/daytona-api.md §11). A transition this app did not ask
 * for, out of a resting state, after the sandbox's own idle interval ran out (measured from the
 * `lastActivityAt` it had before: Daytona counts the stop itself as activity), is an automatic one.
 */
export function classifyChange(change: SandboxChange, context: ClassifyContext): SandboxAlertEvent | undefined {
  if (change.type === 'state') {
    const { old, from, to } = change;
    if (ERROR_STATES.has(to) && !ERROR_STATES.has(from)) {
      return {
        kind: 'sandbox-error',
        sandbox: change.sandbox,
        ...(change.sandbox.errorReason ? { errorReason: change.sandbox.errorReason } : {}),
      };
    }
    if (change.requested) return undefined;
    if (DELETING.has(to) && ttlRanOut(old, context)) return { kind: 'ttl-expired', sandbox: old };
    if (from === 'started' && PAUSING.has(to)) return idleFor(old, old.autoPauseInterval, 'auto-pause', context);
    if (from === 'started' && STOPPING.has(to)) return idleFor(old, old.autoStopInterval, 'auto-stop', context);
    if (from === 'started' && DELETING.has(to)) return ephemeralDelete(old, context);
    if (from === 'stopped' && ARCHIVING.has(to)) return idleFor(old, archiveMinutes(old, context), 'auto-archive', context);
    if (from === 'stopped' && DELETING.has(to)) return deleteAfterStop(old, context);
    return undefined;
  }
  if (change.type === 'removed' && !change.requested) {
    // Seen by polling: the sandbox is simply gone. Judge by the state it was last seen in.
    if (ttlRanOut(change.old, context)) return { kind: 'ttl-expired', sandbox: change.old };
    if (change.old.state === 'started') return ephemeralDelete(change.old, context);
    if (change.old.state === 'stopped') return deleteAfterStop(change.old, context);
  }
  return undefined;
}

/** Its TTL's deadline has come (within the clock skew): Daytona deletes it then, whatever its state. */
function ttlRanOut(sandbox: WatchedSandbox, context: ClassifyContext): boolean {
  const deadline = sandbox.autoDestroyAt ? Date.parse(sandbox.autoDestroyAt) : Number.NaN;
  return Number.isFinite(deadline) && context.now + (context.clockSkewMs ?? 10_000) >= deadline;
}

function archiveMinutes(sandbox: WatchedSandbox, context: ClassifyContext): number | undefined {
  if (sandbox.autoArchiveInterval === undefined) return undefined;
  return sandbox.autoArchiveInterval === 0
    ? (context.maxAutoArchiveMinutes ?? DEFAULT_MAX_AUTO_ARCHIVE_MINUTES)
    : sandbox.autoArchiveInterval;
}

function ephemeralDelete(sandbox: WatchedSandbox, context: ClassifyContext): SandboxAlertEvent | undefined {
  if (sandbox.autoDeleteInterval !== 0) return undefined;
  const event = idleFor(sandbox, sandbox.autoStopInterval, 'auto-delete', context);
  return event && { ...event, ephemeral: true };
}

function deleteAfterStop(sandbox: WatchedSandbox, context: ClassifyContext): SandboxAlertEvent | undefined {
  if (sandbox.autoDeleteInterval === undefined || sandbox.autoDeleteInterval < 0) return undefined;
  return idleFor(sandbox, sandbox.autoDeleteInterval, 'auto-delete', context);
}

/** The event when `minutes` is a real interval and the sandbox had been idle at least that long. */
function idleFor(
  sandbox: WatchedSandbox,
  minutes: number | undefined,
  kind: SandboxAlertKind,
  context: ClassifyContext,
): SandboxAlertEvent | undefined {
  // Auto-stop 0 means never; auto-delete 0 means "at stop", which idleMs >= 0 satisfies.
  if (minutes === undefined || minutes < 0 || (minutes === 0 && kind !== 'auto-delete')) return undefined;
  const lastActivity = sandbox.lastActivityAt ? Date.parse(sandbox.lastActivityAt) : Number.NaN;
  if (Number.isNaN(lastActivity)) return undefined;
  const intervalMs = minutes * (context.minuteMs ?? 60_000);
  const tolerance = Math.min(context.clockSkewMs ?? 10_000, intervalMs / 10);
  const idleMs = context.now - lastActivity;
  if (idleMs + tolerance < intervalMs) return undefined;
  return { kind, sandbox, idleMs: Math.max(0, idleMs) };
}
