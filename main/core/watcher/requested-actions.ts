import type { RequestedAction } from './sandbox-diff.ts';

/** Long enough for a slow stop (Daytona waits up to 60 s) plus a poll interval; short enough not to hide a later auto-stop. */
export const DEFAULT_REQUEST_GRACE_MS = 5 * 60_000;

/**
 * Remembers which stops, archives and deletes this app asked for (from the tray, or relayed from the MCP
 * server), for a grace window: Daytona does not say why a sandbox stopped, so a stop we did not ask for,
 * after the idle time ran out, is what makes an auto-stop alert.
 */
export interface RequestedActions {
  note(sandboxId: string, action: RequestedAction): void;
  noteRequestedStop(sandboxId: string): void;
  wasRequested(sandboxId: string, action: RequestedAction): boolean;
}

export function createRequestedActions(options: { now?: () => number; graceMs?: number } = {}): RequestedActions {
  const now = options.now ?? Date.now;
  const graceMs = options.graceMs ?? DEFAULT_REQUEST_GRACE_MS;
  const noted = new Map<string, number>();
  const key = (id: string, action: RequestedAction) => `${action}:${id}`;

  function prune(at: number): void {
    // Bounded by how many actions fit in one grace window; pruning on write keeps it that way.
    for (const [entry, until] of noted) if (until <= at) noted.delete(entry);
  }

  const requested: RequestedActions = {
    note(sandboxId, action) {
      const at = now();
      prune(at);
      noted.set(key(sandboxId, action), at + graceMs);
      // Deleting a started sandbox passes through no stop, but a delete does stop it: not an auto-stop either.
      if (action === 'delete') noted.set(key(sandboxId, 'stop'), at + graceMs);
    },
    noteRequestedStop(sandboxId) {
      requested.note(sandboxId, 'stop');
    },
    wasRequested(sandboxId, action) {
      const until = noted.get(key(sandboxId, action));
      return until !== undefined && until > now();
    },
  };
  return requested;
}
