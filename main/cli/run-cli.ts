import { localCommand } from './local-command.ts';

const USAGE = `Usage: daytona-tray <command> [options]

Commands:
  local [--port N] [--data-dir DIR] [--json]   run the embedded Daytona-compatible provider on 127.0.0.1

Run 'daytona-tray <command> --help' for a command's options.`;

/** Dispatches `daytona-tray <command>`; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'local':
      return localCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`daytona-tray: unknown command '${command}'.\n\n${USAGE}\n`);
      return 2;
  }
}
