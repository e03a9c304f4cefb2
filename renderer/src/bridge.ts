import { createContext, useContext } from 'react';
import type { BridgeApi } from '../../preload/contract.ts';

declare global {
  interface Window {
    /** Exposed by the preload (preload/index.ts); only this module reads it. */
    readonly bridge?: BridgeApi;
  }
}

/**
 * The renderer's one way to main: the preload's `window.bridge` in the app, a typed fake in tests
 * (installed as `window.bridge` before the page loads, so the production module graph is unchanged).
 */
export function windowBridge(): BridgeApi | undefined {
  return window.bridge;
}

export const BridgeContext = createContext<BridgeApi | undefined>(undefined);

export function useBridge(): BridgeApi {
  const bridge = useContext(BridgeContext);
  if (!bridge) throw new Error('useBridge() needs a <BridgeContext value={bridge}> above it (see main.tsx).');
  return bridge;
}

export type { AppState, BridgeApi, BridgeError, Result } from '../../preload/contract.ts';
