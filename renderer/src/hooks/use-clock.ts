import { useSyncExternalStore } from 'react';

// One ticker for the whole window, running only while something shows a time.
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const notify of listeners) notify();
    }, 1_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/**
 * `select(now)`, re-read every second. A component re-renders only when what it selects changes (an age that
 * reads "2 h" renders once an hour), so a ticking time never re-renders the row or the list around it.
 */
export function useClock<T>(select: (now: number) => T): T {
  return useSyncExternalStore(subscribe, () => select(now));
}
