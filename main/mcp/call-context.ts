/** What a tool sees of the request it serves: whether the client gave up, and a way to report progress. */
export interface CallContext {
  /** Aborted when the client sends notifications/cancelled for this call (or the connection ends). */
  signal: AbortSignal;
  /** True when the request carried a progress token: the client resets its timeout on each notification. */
  wantsProgress: boolean;
  /** Sends one progress notification; does nothing when the client asked for none. */
  progress(message?: string): void;
}

/** The part of the MCP SDK's request `extra` a call context is made from. */
export interface RequestExtra {
  signal: AbortSignal;
  _meta?: { progressToken?: string | number };
  sendNotification(notification: {
    method: 'notifications/progress';
    params: { progressToken: string | number; progress: number; message?: string };
  }): Promise<void>;
}

export function callContext(extra: RequestExtra): CallContext {
  const token = extra._meta?.progressToken;
  let count = 0;
  return {
    signal: extra.signal,
    wantsProgress: token !== undefined,
    progress(message) {
      if (token === undefined || extra.signal.aborted) return;
      // `progress` must grow with every notification; there is no total for work of unknown length.
      count += 1;
      extra
        .sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress: count, ...(message ? { message } : {}) },
        })
        .catch(() => {});
    },
  };
}

/** A call nobody watches (tests that run a tool directly, and work the server does on its own). */
export function detachedCall(): CallContext {
  return { signal: new AbortController().signal, wantsProgress: false, progress() {} };
}

/**
 * Runs `work` and, when the client asked for progress, reports at a steady pace until it settles, with the
 * message `describe` gives (the latest output lines, bytes so far, or the time taken).
 */
export async function withProgress<T>(
  call: CallContext,
  everyMs: number,
  describe: (elapsedSec: number) => string | undefined | Promise<string | undefined>,
  work: Promise<T>,
): Promise<T> {
  if (!call.wantsProgress || everyMs <= 0) return work;
  const started = Date.now();
  let busy = false;
  const timer = setInterval(() => {
    // The client's timeout resets only on a notification, so a slow `describe` (the output is fetched from the
    // sandbox) must not hold them back: while the last one is still being described, the tick goes without a message.
    if (busy) {
      call.progress();
      return;
    }
    busy = true;
    Promise.resolve(describe(Math.round((Date.now() - started) / 1000)))
      .catch(() => undefined)
      .then((message) => call.progress(message))
      .finally(() => {
        busy = false;
      });
  }, everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** The last few lines of some output, short enough for a progress message. */
export function latestLines(output: string, lines = 3, maxChars = 400): string | undefined {
  // A carriage return rewrites its line (git's and npm's progress meters): keep what a terminal would show.
  const shown = output
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((line) => line.replace(/\r+$/, '').split('\r').pop() ?? '');
  const tail = shown.join('\n').replace(/\s+$/, '').split('\n').slice(-lines).join('\n');
  if (!tail) return undefined;
  return tail.length > maxChars ? `…${tail.slice(tail.length - maxChars)}` : tail;
}

/** Rejects as soon as `signal` aborts, so a caller stops waiting for work that cannot be interrupted. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(cancelled());
    else signal.addEventListener('abort', () => reject(cancelled()), { once: true });
  });
}

export function cancelled(): Error {
  const error = new Error('The call was cancelled by the client.');
  error.name = 'AbortError';
  return error;
}
