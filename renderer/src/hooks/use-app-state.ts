import { createContext, useCallback, useContext, useSyncExternalStore } from 'react';
import type { AppState, BridgeError } from '../../../preload/contract.ts';
import type { StateStore } from '../state-store.ts';

export const StateStoreContext = createContext<StateStore | undefined>(undefined);

export interface AppStateHandle {
  state: AppState | undefined;
  /** getState failed (main not ready, or a bug); `retry` asks again. */
  error: BridgeError | undefined;
  retry(): void;
}

/** Main's latest snapshot (see state-store.ts). */
export function useAppState(): AppStateHandle {
  const store = useContext(StateStoreContext);
  if (!store) throw new Error('useAppState() needs a <StateStoreContext value={store}> above it (see main.tsx).');
  const { state, error } = useSyncExternalStore(store.subscribe, store.snapshot);
  const retry = useCallback(() => void store.load(), [store]);
  return { state, error, retry };
}
