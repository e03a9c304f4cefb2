import { redact } from '../redact.ts';

/** The children's log as the window shows it: the last lines only, every secret already replaced by `***`. */
export interface LogBuffer {
  /** Adds one line from `source` (`mcp`, `local`, `supervisor`); secrets are removed before it is kept. */
  append(source: string, line: string): void;
  /** A value (API key, bearer token) to remove from every later line. */
  addSecret(secret: string): void;
  /** `text` with every registered secret and credential-shaped substring replaced. */
  redact(text: string): string;
  /** The kept lines, oldest first, as `<ISO time> <source>: <text>`. */
  lines(): string[];
}

export interface LogBufferOptions {
  /** Lines kept (default 500). */
  capacity?: number;
  now?: () => number;
  /** Also hands every kept line here (the log file), after redaction. */
  sink?: (line: string) => void;
}

// One very long line (a dumped request body) must not hold megabytes in memory.
const MAX_LINE_CHARS = 2000;

export function createLogBuffer(options: LogBufferOptions = {}): LogBuffer {
  const capacity = options.capacity ?? 500;
  const now = options.now ?? (() => Date.now());
  const secrets = new Set<string>();
  const kept: string[] = [];
  return {
    append(source, line) {
      const clean = redact(line, secrets);
      const text =
        clean.length > MAX_LINE_CHARS ? `${clean.slice(0, MAX_LINE_CHARS)}… (${clean.length - MAX_LINE_CHARS} more characters)` : clean;
      const entry = `${new Date(now()).toISOString()} ${source}: ${text}`;
      kept.push(entry);
      options.sink?.(entry);
      if (kept.length > capacity) kept.splice(0, kept.length - capacity);
    },
    addSecret(secret) {
      if (secret) secrets.add(secret);
    },
    redact: (text) => redact(text, secrets),
    lines: () => [...kept],
  };
}
