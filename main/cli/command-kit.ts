import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>
>;

/**
 * The start every long-running command shares: parse its options strictly (no positionals), print its usage on
 * --help (exit 0) or with the parse error on stderr (exit 2). `options` must include `help`.
 */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(
  command: string,
  argv: string[],
  options: O,
  help: string,
): { values: Parsed<O>['values'] } | { exit: number } {
  let values: Parsed<O>['values'];
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (error) {
    process.stderr.write(`daytona-tray ${command}: ${(error as Error).message}\n\n${help}\n`);
    return { exit: 2 };
  }
  if ((values as { help?: boolean }).help) {
    process.stdout.write(`${help}\n`);
    return { exit: 0 };
  }
  return { values };
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
