import type { BridgeApi, ViewTarget } from '../../preload/contract.ts';

/** Where main asked the window to go (the tray menu, a notification), for the one listener that acts on it (App). */
export interface ViewRequests {
  /** Calls `listener` with a request made before it listened (the last one), then with each new one. */
  subscribe(listener: (target: ViewTarget) => void): () => void;
}

/**
 * Listens from the window's start. Main sends a view it was asked for while the window loaded as soon as the page
 * has loaded, and the window renders only after its first state arrived (main.tsx), so App may mount after that
 * request: it is kept here until App listens.
 */
export function viewRequests(bridge: BridgeApi): ViewRequests {
  let pending: ViewTarget | undefined;
  let current: ((target: ViewTarget) => void) | undefined;
  bridge.onShowView((target) => {
    if (current) current(target);
    else pending = target;
  });
  return {
    subscribe(listener) {
      current = listener;
      if (pending) {
        const target = pending;
        pending = undefined;
        listener(target);
      }
      return () => {
        if (current === listener) current = undefined;
      };
    },
  };
}
