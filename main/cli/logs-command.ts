import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultLogPath } from '../core/logs/log-file.ts';
import { followLog, tailLog } from '../core/logs/read-log.ts';

const HELP = `Usage: daytona-tray logs [--lines N] [--follow] [--path]

Prints the end of the app's log: the tray's (or web app's) own lines and those of the MCP server and the
local provider it runs, secrets already replaced by ***. The file is logs/daytona-tray.log in the app data
folder (DAYTONA_TRAY_HOME overrides the folder), rotated at 2 MB with 3 older files kept.

  --lines N   how many lines to print first (default 50)
  --follow    keep printing new lines as they are written (Ctrl-C ends)
  --path      print only the log file's path`;

const fail = (message: string, code = 1): number => {
  process.stderr.write(`daytona-tray logs: ${message}\n`);
  return code;
};

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        lines: { type: 'string', short: 'n' },
        follow: { type: 'boolean', short: 'f' },
        path: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${HELP}`, 2);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const count = values.lines === undefined ? 50 : Number(values.lines);
  if (!Number.isInteger(count) || count < 0) return fail(`--lines takes a whole number of lines, not '${values.lines}'.`, 2);

  const path = defaultLogPath();
  if (values.path) {
    process.stdout.write(`${path}\n`);
    return 0;
  }
  if (!existsSync(path) && !values.follow) {
    process.stderr.write(`No log yet at ${path}: the app writes it once it runs ('daytona-tray app', or the tray).\n`);
    return 0;
  }
  const print = (lines: string[]) => {
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  };
  print(tailLog(path, count));
  if (!values.follow) return 0;

  const stop = new AbortController();
  const end = () => stop.abort();
  process.once('SIGINT', end);
  process.once('SIGTERM', end);
  await followLog(path, print, { signal: stop.signal });
  return 0;
}
