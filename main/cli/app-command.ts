import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appDataDir } from '../core/app-paths.ts';
import { runWebApp } from '../web/run-web-app.ts';
import { onStopSignals, parseCommandArgs } from './command-kit.ts';
import { electronLaunch } from './electron-runtime.ts';
import { packageVersion } from './package-version.ts';

const HELP = `Usage: daytona-tray app [--web] [--port N] [--no-open] [--json]

Runs Daytona Tray: the desktop app (Electron) where it can run, otherwise (or with --web) the same app as
a local web page on 127.0.0.1. Either way it keeps the MCP server (and, on the local profile, the local
provider) running until Ctrl-C or SIGTERM, which stop everything it started.
  --web        the web page even where the desktop app could run
  --port N     the web page's port on 127.0.0.1 (default: a free one)
  --no-open    do not open the default browser
  --json       print exactly one line, {"url": "..."}, once the page can be opened

The address carries a one-time key: the browser that opens it first is let in (a cookie); it does not work
a second time. One web app runs per data dir: run again, it opens the running one's page (with a new
address) and exits. Uses the data dir of DAYTONA_TRAY_HOME when set.`;

const outMain = fileURLToPath(new URL('..', import.meta.url)); // out/main/
const appRoot = join(outMain, '..', '..');

/** Exit codes: 0 stopped by a signal or Quit, 1 could not start, 2 bad usage. */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    'app',
    argv,
    {
      web: { type: 'boolean' },
      port: { type: 'string' },
      'no-open': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    HELP,
  );
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!/^\d+$/.test(values.port ?? '0') || (port < 1024 && port !== 0) || port > 65_535)
    return fail(`--port must be a port number from 1024 to 65535 (got '${values.port}').`, 2);

  if (!values.web) {
    const electron = electronLaunch(appRoot);
    if (electron.ok) return runElectron(electron.command, electron.args);
    process.stderr.write(`daytona-tray: the desktop app cannot run here (${electron.reason}), so it runs as a web page in your browser.\n`);
  }

  const json = values.json === true;
  const log = (line: string) => process.stderr.write(`[daytona-tray] ${line}\n`);
  let running;
  try {
    running = await runWebApp({
      cliScript: join(outMain, 'cli.js'),
      rendererDir: join(appRoot, 'out', 'renderer'),
      webPreloadFile: join(appRoot, 'out', 'web-preload', 'web-preload.js'),
      dataDir: appDataDir(),
      version: packageVersion(),
      port,
      open: values['no-open'] !== true,
      log,
      ready(link, alreadyRunning) {
        process.stdout.write(
          json
            ? `${JSON.stringify({ url: link })}\n`
            : alreadyRunning
              ? `Daytona Tray already runs (one per data folder); its page: ${link}\nThat address works once.\n`
              : `Daytona Tray is running at ${link}\nThat address works once; press Ctrl-C to stop.\n`,
        );
      },
    });
  } catch (error) {
    return fail((error as Error).message);
  }
  if ('alreadyRunning' in running) return 0;
  const removeSignals = onStopSignals(() => void running.stop());
  await running.stopped;
  removeSignals();
  return 0;
}

/** The desktop app as a child: signals are passed on, and its exit code is ours. */
function runElectron(command: string, args: string[]): Promise<number> {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // The packaged CLI runs in node mode; the app must not.
  const child = spawn(command, args, { stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(
        `daytona-tray: could not start the desktop app (${error.message}); run 'daytona-tray app --web' for the web page.\n`,
      );
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 0 : 1));
    });
  });
}

function fail(message: string, code = 1): number {
  process.stderr.write(`daytona-tray app: ${message}\n`);
  return code;
}
