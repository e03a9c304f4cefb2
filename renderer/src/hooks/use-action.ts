import { useCallback, useRef, useState } from 'react';
import type { BridgeError, Result } from '../../../preload/contract.ts';

export interface ActionHandle<A extends unknown[], T> {
  /** Runs the action unless one is already pending (then resolves undefined); failures also land in `error`. */
  run(...args: A): Promise<Result<T> | undefined>;
  pending: boolean;
  error: BridgeError | undefined;
  clearError(): void;
}

/**
 * One bridge call with its progress and error as state, so every button can show "Stopping…" and the
 * error's advice next to where the user acted. A second click while pending is ignored.
 */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<Result<T>>): ActionHandle<A, T> {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<BridgeError>();
  const busy = useRef(false);
  const latest = useRef(action);
  latest.current = action;

  const run = useCallback(async (...args: A): Promise<Result<T> | undefined> => {
    if (busy.current) return undefined;
    busy.current = true;
    setPending(true);
    setError(undefined);
    try {
      const result = await latest.current(...args);
      if (!result.ok) setError(result.error);
      return result;
    } catch (cause) {
      const failure = { code: 'failed', message: `The app did not answer (${String(cause)}). Try again.` };
      setError(failure);
      return { ok: false, error: failure };
    } finally {
      busy.current = false;
      setPending(false);
    }
  }, []);

  const clearError = useCallback(() => setError(undefined), []);
  return { run, pending, error, clearError };
}
