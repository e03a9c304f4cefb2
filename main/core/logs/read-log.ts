import { closeSync, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs';
import { LOG_KEEP } from './log-file.ts';

/**
 * The last `count` lines of the log, reaching into the rotated files (`<path>.1`, …) when the current one is short.
 * `upTo` stops the read of the current file at that size: where a follow starts (logLook), so no line is shown twice
 * or lost between the two.
 */
export function tailLog(path: string, count: number, { keep = LOG_KEEP, upTo }: { keep?: number; upTo?: number } = {}): string[] {
  const lines: string[] = [];
  for (const file of [path, ...Array.from({ length: keep }, (_, index) => `${path}.${index + 1}`)]) {
    if (lines.length >= count) break;
    const text = file === path && upTo !== undefined ? readRangeIfExists(path, 0, upTo) : readIfExists(file);
    if (text === undefined) continue;
    lines.unshift(...splitLines(text));
  }
  return count <= 0 ? [] : lines.slice(-count);
}

/** One look at the log file: which file it is and how far it goes (undefined: there is none yet). */
export type LogLook = Stats | undefined;

export function logLook(path: string): LogLook {
  return stat(path);
}

export interface FollowOptions {
  /** How often the file is looked at (default 300 ms). */
  intervalMs?: number;
  signal: AbortSignal;
  /** Where to start: a look taken before the tail was read (default: a look taken now). */
  from?: { look: LogLook };
}

/**
 * Calls `onLines` with every complete line appended to the log from now on, across rotations: when the file is
 * replaced, the rest of the old one (now `<path>.1`) is read first, so no line is lost between two looks.
 * Resolves when `signal` aborts.
 */
export function followLog(path: string, onLines: (lines: string[]) => void, options: FollowOptions): Promise<void> {
  let current = options.from ? options.from.look : stat(path);
  let offset = current?.size ?? 0;
  let partial = '';

  const emit = (text: string) => {
    const joined = partial + text;
    const cut = joined.lastIndexOf('\n');
    partial = cut === -1 ? joined : joined.slice(cut + 1);
    if (cut !== -1) onLines(splitLines(joined.slice(0, cut + 1)));
  };

  const look = () => {
    const now = stat(path);
    if (current && now && now.ino !== current.ino) {
      // Rotated: finish the old file (renamed to .1) from where we were, then start the new one.
      const old = stat(`${path}.1`);
      if (old?.ino === current.ino) emit(readRange(`${path}.1`, offset, old.size));
      offset = 0;
    } else if (now && now.size < offset) {
      offset = 0; // truncated in place
    }
    current = now;
    if (now && now.size > offset) {
      emit(readRange(path, offset, now.size));
      offset = now.size;
    }
  };

  return new Promise((resolve) => {
    const timer = setInterval(look, options.intervalMs ?? 300);
    const stop = () => {
      clearInterval(timer);
      look();
      resolve();
    };
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });
  });
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function stat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readRangeIfExists(path: string, from: number, to: number): string | undefined {
  try {
    return readRange(path, from, to);
  } catch {
    return undefined;
  }
}

function readRange(path: string, from: number, to: number): string {
  if (to <= from) return '';
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(to - from);
    const read = readSync(fd, buffer, 0, buffer.length, from);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
