import type { WatchedSandbox } from './watched-sandbox.ts';

/** What this app itself asked Daytona to do to a sandbox (see requested-actions.ts). */
export type RequestedAction = 'stop' | 'pause' | 'archive' | 'delete';

/**
 * One change between two snapshots. `old`/`sandbox` are whole sandboxes, so a consumer can reason about
 * what the sandbox looked like before (the alert policy needs the old `lastActivityAt`: Daytona counts a
 * stop as activity and the new DTO already carries the stop time).
 */
export type SandboxChange =
  | { type: 'added'; sandbox: WatchedSandbox; /** Part of the first full listing, not a new sandbox. */ initial: boolean }
  | { type: 'removed'; old: WatchedSandbox; /** Whether this app asked for the delete. */ requested: boolean }
  | {
      type: 'state';
      old: WatchedSandbox;
      sandbox: WatchedSandbox;
      from: string;
      to: string;
      /** This app asked for it (stop/archive/delete). */ requested: boolean;
    }
  | { type: 'resources'; old: WatchedSandbox; sandbox: WatchedSandbox };

/** Answers "did this app ask for `action` on `id` recently?"; the diff marks such changes `requested`. */
export type WasRequested = (id: string, action: RequestedAction) => boolean;

const never: WasRequested = () => false;

/** The action a transition into `state` completes, if it is one this app can ask for. */
export function actionOf(state: string): RequestedAction | undefined {
  switch (state) {
    case 'stopping':
    case 'stopped':
      return 'stop';
    case 'pausing':
    case 'paused':
      return 'pause';
    case 'archiving':
    case 'archived':
      return 'archive';
    case 'destroying':
    case 'destroyed':
      return 'delete';
    default:
      return undefined;
  }
}

/** Appends the changes from `old` to `next` for one sandbox (both present). */
export function diffOne(old: WatchedSandbox, next: WatchedSandbox, out: SandboxChange[], wasRequested: WasRequested = never): void {
  if (old === next) return;
  if (old.state !== next.state) {
    const action = actionOf(next.state);
    out.push({
      type: 'state',
      old,
      sandbox: next,
      from: old.state,
      to: next.state,
      requested: action !== undefined && wasRequested(next.id, action),
    });
  }
  if (old.cpu !== next.cpu || old.memory !== next.memory || old.disk !== next.disk || old.gpu !== next.gpu) {
    out.push({ type: 'resources', old, sandbox: next });
  }
}

/**
 * The changes from `previous` to `next`, in O(n): one pass over `next` (added, state, resources) and,
 * only when something disappeared, one over `previous` (removed). Map lookups only; no sorting, no
 * copying. Unchanged objects short-circuit on identity, so reusing the objects that did not change costs
 * almost nothing.
 */
export function diffSnapshots(
  previous: ReadonlyMap<string, WatchedSandbox>,
  next: ReadonlyMap<string, WatchedSandbox>,
  wasRequested: WasRequested = never,
  initial = false,
): SandboxChange[] {
  const changes: SandboxChange[] = [];
  let kept = 0;
  for (const [id, sandbox] of next) {
    const old = previous.get(id);
    if (old === undefined) {
      changes.push({ type: 'added', sandbox, initial });
    } else {
      kept++;
      diffOne(old, sandbox, changes, wasRequested);
    }
  }
  // Every previous sandbox was seen again: nothing was removed, so the second pass is skipped.
  if (kept < previous.size) {
    for (const [id, old] of previous) {
      if (!next.has(id)) changes.push({ type: 'removed', old, requested: wasRequested(id, 'delete') });
    }
  }
  return changes;
}
