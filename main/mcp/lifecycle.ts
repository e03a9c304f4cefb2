/**
 * Process lifetime for the stdio programs (`mcp` and `bridge`): they are children of an AI client and must
 * not outlive it. Clients close stdin and then kill; some die without doing either, so the parent is watched too.
 */
import { processAlive } from '../core/process-alive.ts';

/** Calls `onGone` once the process that started us has exited (Linux/macOS reparent us; Windows keeps the old ppid). */
export function watchParent(onGone: () => void, intervalMs = 1000): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent || !processAlive(parent)) {
      clearInterval(timer);
      onGone();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Calls `handler` once on the first SIGINT/SIGTERM (and SIGHUP: a closed terminal); returns the remover. */
export function onShutdownSignal(handler: (signal: NodeJS.Signals) => void): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  let fired = false;
  const listener = (signal: NodeJS.Signals) => {
    if (fired) return;
    fired = true;
    handler(signal);
  };
  for (const signal of signals) process.on(signal, listener);
  return () => {
    for (const signal of signals) process.off(signal, listener);
  };
}

/**
 * stdout is the protocol channel: anything a dependency prints with console.log would corrupt it. Route every
 * console method to stderr for the life of the process.
 */
export function keepStdoutForProtocol(): void {
  const toStderr = (...args: unknown[]) => {
    process.stderr.write(`${args.map((arg) => (typeof arg === 'string' ? arg : safeInspect(arg))).join(' ')}\n`);
  };
  for (const method of ['log', 'info', 'debug', 'trace', 'dir', 'table'] as const) {
    (console as unknown as Record<string, unknown>)[method] = toStderr;
  }
}

function safeInspect(value: unknown): string {
  try {
    return value instanceof Error ? `${value.name}: ${value.message}` : JSON.stringify(value);
  } catch {
    return String(value);
  }
}
