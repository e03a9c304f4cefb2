import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { appDataDir } from '../core/app-paths.ts';
import { DataDirError } from '../core/data-dir.ts';
import { localWarmPoolSize } from '../core/settings/settings-schema.ts';
import { createSettingsStore } from '../core/settings/settings-store.ts';
import { watchParent } from '../mcp/lifecycle.ts';
import { startLocalProvider } from '../local/provider.ts';
import { DataDirInUseError } from '../local/sandbox-store.ts';

const HELP = `Usage: daytona-tray local [--port N] [--data-dir DIR] [--json] [--exit-with-parent]

Runs the embedded Daytona-compatible provider on 127.0.0.1 until SIGINT/SIGTERM.
  --port N            port to listen on (default: any free port)
  --data-dir DIR      where sandboxes live (default: <app data>/local)
  --json              print one JSON line {"apiUrl","apiKey"} on stdout once ready
  --exit-with-parent  stop (cleanly) when the process that started this one exits

Environment: DAYTONA_TRAY_LOCAL_API_KEY sets the API key (default: random per start);
DAYTONA_TRAY_LOCAL_MINUTE_MS scales auto-stop/archive/delete minutes (default 60000).`;

/** Exit codes: 0 clean stop, 1 could not start (or stop cleanly), 2 bad usage. */
export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        json: { type: 'boolean' },
        'exit-with-parent': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return usageError(`${(error as Error).message}\n\n${HELP}`);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  // Digits only: Number('') is 0 and Number('0x50') is 80, neither of which anyone meant.
  if (values.port !== undefined && !/^\d{1,5}$/.test(values.port))
    return usageError(`--port must be an integer from 0 to 65535 (got '${values.port}').`);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (port > 65535) return usageError(`--port must be an integer from 0 to 65535 (got '${values.port}').`);
  if (values['data-dir'] === '') return usageError('--data-dir must not be empty.');
  const rawMinute = process.env.DAYTONA_TRAY_LOCAL_MINUTE_MS;
  const minuteMs = rawMinute ? Number(rawMinute) : undefined;
  if (minuteMs !== undefined && !(Number.isFinite(minuteMs) && minuteMs > 0)) {
    return usageError(`DAYTONA_TRAY_LOCAL_MINUTE_MS must be a positive number of milliseconds (got '${rawMinute}').`);
  }

  // Listen for signals before starting, so one that arrives during start-up still ends in a clean stop.
  let signalled: NodeJS.Signals | undefined;
  let onSignal: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => {
    onSignal = resolve;
  });
  const handler = (signal: NodeJS.Signals) => {
    signalled ??= signal;
    onSignal();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  const log = (line: string) => process.stderr.write(`[local] ${line}\n`);
  // The supervisor's child: if the supervisor dies without stopping us (SIGKILL, crash), stop like on SIGTERM.
  const stopWatchingParent = values['exit-with-parent']
    ? watchParent(() => {
        log('the process that started this one is gone');
        handler('SIGTERM');
      })
    : () => {};

  try {
    let provider;
    try {
      // The pool size is the local profile's (settings); unreadable settings leave the provider's default.
      const warmPoolSize = localWarmPoolSize((await createSettingsStore().load()).settings);
      provider = await startLocalProvider({
        ...(warmPoolSize !== undefined ? { warmPoolSize } : {}),
        dataDir: values['data-dir'] ?? join(appDataDir(), 'local'),
        port,
        ...(process.env.DAYTONA_TRAY_LOCAL_API_KEY ? { apiKey: process.env.DAYTONA_TRAY_LOCAL_API_KEY } : {}),
        ...(minuteMs ? { minuteMs } : {}),
        log,
      });
    } catch (error) {
      process.stderr.write(`daytona-tray local: could not start: ${startError(error, port)}\n`);
      return 1;
    }
    if (signalled === undefined) {
      if (values.json) process.stdout.write(`${JSON.stringify({ apiUrl: provider.apiUrl, apiKey: provider.apiKey })}\n`);
      else log(`listening on ${provider.apiUrl} (isolation: ${provider.isolation})`);
      await stopRequested;
    }
    log(`${signalled}: stopping sandboxes and saving state`);
    try {
      await provider.close();
    } catch (error) {
      process.stderr.write(`daytona-tray local: could not stop cleanly: ${(error as Error).message}\n`);
      return 1;
    }
    return 0;
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    stopWatchingParent();
  }
}

function usageError(message: string): number {
  process.stderr.write(`daytona-tray local: ${message}\n`);
  return 2;
}

function startError(error: unknown, port: number): string {
  if (error instanceof DataDirInUseError || error instanceof DataDirError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return `port ${port} on 127.0.0.1 is already in use. Pick another with --port, or omit --port for any free port.`;
  if (code === 'EACCES' && port > 0) return `not allowed to listen on port ${port}. Pick a port above 1023, or omit --port.`;
  return `${(error as Error).message}.`;
}
