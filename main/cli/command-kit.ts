import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>
>;

/**
 * The start every command shares: parse its options strictly, print its usage on --help (exit 0) or with the
 * parse error on stderr (exit 2). `options` must include `help`. `explainParseError` rewrites a parse error
 * before it is printed (login never echoes an argument: it may be a pasted key).
 */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(
  command: string,
  argv: string[],
  options: O,
  help: string,
  /** How many positional arguments the command takes (default none): fewer or more is a usage error. */
  positionals: { min: number; max: number } = { min: 0, max: 0 },
  explainParseError: (message: string) => string = (message) => message,
): { values: Parsed<O>['values']; positionals: string[] } | { exit: number } {
  let values: Parsed<O>['values'];
  let given: string[];
  const usageError = (message: string) => {
    process.stderr.write(`daytona-tray ${command}: ${message}\n\n${help}\n`);
    return { exit: 2 };
  };
  try {
    const parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: positionals.max > 0 });
    values = parsed.values as Parsed<O>['values'];
    given = parsed.positionals;
  } catch (error) {
    return usageError(explainParseError((error as Error).message));
  }
  if ((values as { help?: boolean }).help) {
    process.stdout.write(`${help}\n`);
    return { exit: 0 };
  }
  if (given.length < positionals.min) return usageError('missing argument');
  if (given.length > positionals.max) return usageError(`unexpected argument '${given[positionals.max]}'`);
  return { values, positionals: given };
}

/** Calls `stop` on Ctrl-C or SIGTERM until the returned function is called (which removes the handlers). */
export function onStopSignals(stop: () => void): () => void {
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
}
