import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** What to run. The environment is complete (nothing is inherited), so a secret goes exactly where it is put. */
export interface SpawnSpec {
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why it could not be started at all (ENOENT, EACCES...). */
  error?: string;
}

export type OutputStream = 'stdout' | 'stderr';

/** A running child as the supervisor needs it; the port that tests replace with a fake. */
export interface ChildHandle {
  readonly pid: number | undefined;
  /** Resolves once the process has exited (or failed to start). Never rejects. */
  readonly exited: Promise<ChildExit>;
  /** Resolves once its output is drained too (the last lines have been delivered). Never rejects. */
  readonly closed: Promise<void>;
  /** Calls `listener` with each complete line of output; returns the remover. */
  onLine(listener: (stream: OutputStream, line: string) => void): () => void;
  /**
   * Sends `signal` to the child and, on POSIX, to every process in its process group (what it started),
   * even after the child itself has exited: that is how the supervisor sweeps up grandchildren.
   */
  kill(signal: NodeJS.Signals): void;
}

export type SpawnPort = (spec: SpawnSpec) => ChildHandle;

// A runaway line (no newline for megabytes) is cut here rather than held in memory.
const MAX_LINE_CHARS = 8192;

/**
 * The real spawner. On POSIX each child leads its own process group (`detached`), so one signal reaches
 * everything it started; stdin is closed; output is split into lines.
 */
export const spawnChild: SpawnPort = (spec) => {
  const posix = process.platform !== 'win32';
  const child = spawn(spec.command, [...spec.args], {
    env: spec.env,
    ...(spec.cwd ? { cwd: spec.cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: posix,
    windowsHide: true,
  });
  const listeners = new Set<(stream: OutputStream, line: string) => void>();
  const emit = (stream: OutputStream, line: string) => {
    for (const listener of listeners) listener(stream, line);
  };
  const drained = [pipeLines(child.stdout, (line) => emit('stdout', line)), pipeLines(child.stderr, (line) => emit('stderr', line))];

  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      // 'error' without 'exit' means it never started; after a start, 'exit' still follows.
      if (child.pid === undefined) resolve({ code: null, signal: null, error: error.message });
    });
  });
  const closed = Promise.all(drained).then(() => {});

  return {
    pid: child.pid,
    exited,
    closed,
    onLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    kill(signal) {
      if (child.pid === undefined) return;
      if (posix) {
        try {
          process.kill(-child.pid, signal);
          return;
        } catch {
          // No such group left (everything exited): fall through for the child itself.
        }
      }
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
};

/** Calls `onLine` per line of `stream`; resolves when the stream ends (or errors). */
function pipeLines(stream: Readable | null, onLine: (line: string) => void): Promise<void> {
  if (!stream) return Promise.resolve();
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    partial += chunk;
    let newline: number;
    while ((newline = partial.indexOf('\n')) !== -1) {
      onLine(partial.slice(0, newline).replace(/\r$/, ''));
      partial = partial.slice(newline + 1);
    }
    if (partial.length > MAX_LINE_CHARS) {
      onLine(partial.slice(0, MAX_LINE_CHARS));
      partial = '';
    }
  });
  return new Promise((resolve) => {
    const finish = () => {
      if (partial) onLine(partial);
      partial = '';
      resolve();
    };
    stream.once('end', finish);
    stream.once('error', finish);
    stream.once('close', finish);
  });
}

/**
 * The child's first stdout line (its "ready" line). Only `signal` ends the wait early: a child that exits
 * without the line is reported by its exit, which the supervisor races against this.
 */
export function firstStdoutLine(child: ChildHandle, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      remove();
      reject(new Error('stopped waiting for its ready line'));
    };
    const remove = child.onLine((stream, line) => {
      if (stream !== 'stdout') return;
      remove();
      signal.removeEventListener('abort', onAbort);
      resolve(line);
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
