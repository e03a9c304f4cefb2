import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './log.ts';

type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;

export interface IdleTrimOptions {
  log: Logger;
  /** Quiet time after the last request before memory is handed back (default 10 s). */
  idleMs?: number;
}

/**
 * The HTTP server lives as long as the tray and is idle most of the time, but V8 keeps the young generation
 * it grew during a burst of calls (32 MB) until memory runs short, which on a desktop it never does. Once
 * the server has been quiet for a while, one memory-reducing collection (V8's "last resort" GC, the one
 * behind its low-memory notification) shrinks it back: measured ~20-30 MB less resident memory, for one
 * pause of a few tens of milliseconds per quiet spell. Node only exposes `gc` behind --expose-gc, a flag
 * the supervisor would have to pass; enabling it at run time and fetching `gc` from a fresh context is
 * the documented way around that. If any of this is unavailable, trimming is simply skipped.
 */
export function createIdleTrimmer(options: IdleTrimOptions): { touch(): void; stop(): void } {
  const idleMs = options.idleMs ?? 10_000;
  let lastActivity = Date.now();
  let trimmed = false;
  let gc: GcFunction | undefined | null;

  const collector = (): GcFunction | null => {
    if (gc !== undefined) return gc;
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as GcFunction;
    } catch (error) {
      options.log.warn(`idle memory trimming is unavailable: ${(error as Error).message}`);
      gc = null;
    }
    return gc;
  };

  const timer = setInterval(
    () => {
      if (trimmed || Date.now() - lastActivity < idleMs) return;
      trimmed = true;
      const run = collector();
      if (!run) return;
      const before = process.memoryUsage().rss;
      const started = performance.now();
      run({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
      options.log.info(
        `idle: trimmed memory from ${mb(before)} MB to ${mb(process.memoryUsage().rss)} MB resident in ${Math.round(performance.now() - started)} ms`,
      );
    },
    Math.max(1000, Math.floor(idleMs / 2)),
  );
  timer.unref();

  return {
    touch() {
      lastActivity = Date.now();
      trimmed = false;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
