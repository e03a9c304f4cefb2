import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { appDataDir } from '../core/app-paths.ts';
import { startLocalProvider } from '../local/provider.ts';

const HELP = `Usage: daytona-tray local [--port N] [--data-dir DIR] [--json]

Runs the embedded Daytona-compatible provider on 127.0.0.1 until SIGINT/SIGTERM.
  --port N          port to listen on (default: any free port)
  --data-dir DIR    where sandboxes live (default: <app data>/local)
  --json            print one JSON line {"apiUrl","apiKey"} on stdout once ready

Environment: DAYTONA_TRAY_LOCAL_API_KEY sets the API key (default: random per start);
DAYTONA_TRAY_LOCAL_MINUTE_MS scales auto-stop/archive/delete minutes (default 60000).`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`daytona-tray local: ${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`daytona-tray local: --port must be an integer from 0 to 65535 (got '${values.port}').\n`);
    return 2;
  }
  const minuteMs = process.env.DAYTONA_TRAY_LOCAL_MINUTE_MS ? Number(process.env.DAYTONA_TRAY_LOCAL_MINUTE_MS) : undefined;
  if (minuteMs !== undefined && !(minuteMs > 0)) {
    process.stderr.write('daytona-tray local: DAYTONA_TRAY_LOCAL_MINUTE_MS must be a positive number of milliseconds.\n');
    return 2;
  }
  const log = (line: string) => process.stderr.write(`[local] ${line}\n`);
  let provider;
  try {
    provider = await startLocalProvider({
      dataDir: values['data-dir'] ?? join(appDataDir(), 'local'),
      port,
      ...(process.env.DAYTONA_TRAY_LOCAL_API_KEY ? { apiKey: process.env.DAYTONA_TRAY_LOCAL_API_KEY } : {}),
      ...(minuteMs ? { minuteMs } : {}),
      log,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? ` Port ${port} is in use: pick another with --port, or omit it.` : '';
    process.stderr.write(`daytona-tray local: could not start: ${(error as Error).message}.${hint}\n`);
    return 1;
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ apiUrl: provider.apiUrl, apiKey: provider.apiKey })}\n`);
  else log(`listening on ${provider.apiUrl} (isolation: ${provider.isolation})`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await provider.close();
  return 0;
}
