import { existsSync } from 'node:fs';
import { defaultLogPath, LOG_KEEP, LOG_MAX_BYTES } from '../core/logs/log-file.ts';
import { followLog, logLook, tailLog } from '../core/logs/read-log.ts';
import { onStopSignals, parseCommandArgs } from './command-kit.ts';

const HELP = `Usage: daytona-tray logs [--lines N] [--follow] [--path]

Prints the end of the app's log: the tray's (or web app's) own lines and those of the MCP server and the
local provider it runs, secrets already replaced by ***. The file is logs/daytona-tray.log in the app data
folder (DAYTONA_TRAY_HOME overrides the folder), rotated at ${LOG_MAX_BYTES / 1024 / 1024} MB with ${LOG_KEEP} older files kept.

  --lines N   how many lines to print first (default 50)
  --follow    keep printing new lines as they are written (Ctrl-C ends)
  --path      print only the log file's path`;

const OPTIONS = {
  lines: { type: 'string', short: 'n' },
  follow: { type: 'boolean', short: 'f' },
  path: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const fail = (message: string, code = 1): number => {
  process.stderr.write(`daytona-tray logs: ${message}\n`);
  return code;
};

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('logs', argv, OPTIONS, HELP);
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
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
  // The follow goes on from where the tail stopped: a line written in between is printed once, by the follow.
  const start = { look: logLook(path) };
  print(tailLog(path, count, { upTo: start.look?.size ?? 0 }));
  if (!values.follow) return 0;

  const stop = new AbortController();
  const removeHandlers = onStopSignals(() => stop.abort());
  try {
    await followLog(path, print, { signal: stop.signal, from: start });
  } finally {
    removeHandlers();
  }
  return 0;
}
