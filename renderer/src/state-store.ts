import type { AppState, BridgeApi, BridgeError } from '../../preload/contract.ts';
import { reuseUnchanged } from './reuse-unchanged.ts';

/** What the window renders from: main's latest snapshot, or why there is none. */
export interface StateSnapshot {
  state: AppState | undefined;
  error: BridgeError | undefined;
}

export interface StateStore {
  /** Asks main for the current snapshot (at start, and on "Try again"). */
  load(): Promise<void>;
  snapshot(): StateSnapshot;
  /** For useSyncExternalStore. */
  subscribe(listener: () => void): () => void;
}

/**
 * Main owns the state; the window follows it. The store subscribes to onStateChanged before it asks
 * getState, so no snapshot sent in between is lost, and keeps the one with the highest revision, so a
 * late answer cannot overwrite a newer event. main.tsx loads it before the first render, so the first
 * frame already shows real content (no "Loading…" frame in between).
 */
export function createStateStore(bridge: BridgeApi): StateStore {
  let current: StateSnapshot = { state: undefined, error: undefined };
  const listeners = new Set<() => void>();
  const set = (next: StateSnapshot) => {
    current = next;
    for (const listener of listeners) listener();
  };
  const accept = (state: AppState) => {
    if (current.state && current.state.revision > state.revision) return;
    // The sandboxes that did not change keep their objects, so only the changed rows render (SandboxRow is memoized).
    set({ state: { ...state, sandboxes: reuseUnchanged(current.state?.sandboxes, state.sandboxes) }, error: undefined });
  };
  // The window lives as long as the page: this subscription is never dropped.
  bridge.onStateChanged(accept);

  return {
    async load() {
      try {
        const result = await bridge.getState();
        if (result.ok) accept(result.value);
        else if (!current.state) set({ state: undefined, error: result.error });
      } catch (cause) {
        if (!current.state)
          set({
            state: undefined,
            error: { code: 'failed', message: `The app did not answer (${String(cause)}). Close and reopen the window.` },
          });
      }
    },
    snapshot: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
