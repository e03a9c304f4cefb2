/** One line per event on stderr (stdout is protocol); secrets never reach it. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Registers a value (an API key, a bearer token) that must never appear in a log line. */
  addSecret(secret: string): void;
}

// Shapes of credentials we may not have been told about: bearer headers, Daytona keys, URL userinfo.
const SECRET_PATTERNS: RegExp[] = [
  /(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(dtn_|dtl_)[A-Za-z0-9_-]{8,}/g,
  /(\/\/[^/\s:@]+:)[^@\s/]+(@)/g,
];

/** Replaces every registered secret and every credential-shaped substring with `***`. */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  out = out.replace(SECRET_PATTERNS[0]!, '$1***');
  out = out.replace(SECRET_PATTERNS[1]!, '$1***');
  out = out.replace(SECRET_PATTERNS[2]!, '$1***$2');
  return out;
}

export interface LoggerOptions {
  /** The component in brackets: `mcp`, `bridge`. */
  name: string;
  write?: (line: string) => void;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => { process.stderr.write(line); });
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
    addSecret: (secret) => { if (secret) secrets.add(secret); },
  };
}

/** A logger that drops everything (tests, and library use without a stderr). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {}, addSecret() {} };
