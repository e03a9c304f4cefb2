import { redact } from '../core/redact.ts';

/** One line per event on stderr (stdout is protocol); secrets never reach it. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Registers a value (an API key, a bearer token) that must never appear in a log line. */
  addSecret(secret: string): void;
}

export { redact } from '../core/redact.ts';

export interface LoggerOptions {
  /** The component in brackets: `mcp`, `bridge`. */
  name: string;
  write?: (line: string) => void;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions): Logger {
  const write =
    options.write ??
    ((line: string) => {
      process.stderr.write(line);
    });
  const now = options.now ?? (() => new Date());
  const secrets = new Set<string>();
  const emit = (level: string, message: string) => {
    const oneLine = redact(message, secrets).replace(/\r?\n/g, ' ⏎ ');
    write(`${now().toISOString()} [${options.name}] ${level} ${oneLine}\n`);
  };
  return {
    info: (message) => emit('info', message),
    warn: (message) => emit('warn', message),
    error: (message) => emit('error', message),
    addSecret: (secret) => {
      if (secret) secrets.add(secret);
    },
  };
}

/** A logger that drops everything (tests, and library use without a stderr). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {}, addSecret() {} };
