import { useCallback, useEffect, useState } from 'react';
import type { AppState, BridgeError } from '../../../preload/contract.ts';
import { useBridge } from '../bridge.ts';

export interface AppStateHandle {
  state: AppState | undefined;
  /** getState failed (main not ready, or a bug); `retry` asks again. */
  error: BridgeError | undefined;
  retry(): void;
}

/**
 * Main owns the state; the window follows it: one getState at start, then every onStateChanged snapshot.
 * Snapshots carry a revision, so the answer to getState cannot overwrite a newer event that overtook it.
 */
export function useAppState(): AppStateHandle {
  const bridge = useBridge();
  const [state, setState] = useState<AppState>();
  const [error, setError] = useState<BridgeError>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    const accept = (next: AppState) => {
      if (cancelled) return;
      setError(undefined);
      setState((current) => (current && current.revision > next.revision ? current : next));
    };
    const unsubscribe = bridge.onStateChanged(accept);
    void bridge.getState().then(
      (result) => {
        if (cancelled) return;
        if (result.ok) accept(result.value);
        else setError(result.error);
      },
      (cause: unknown) => {
        if (!cancelled) setError({ code: 'failed', message: `The app did not answer (${String(cause)}). Close and reopen the window.` });
      },
    );
    return () => {
      cancelled = true;
      unsubscribe();
    };
  }, [bridge, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { state, error, retry };
}
