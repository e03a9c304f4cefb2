import { parseArgs } from 'node:util';
import { defaultServerDeps, DISABLED_GROUPS_ENV } from '../mcp/default-deps.ts';
import { startHttpServer } from '../mcp/http-transport.ts';
import { createIdleTrimmer } from '../mcp/idle-trim.ts';
import { keepStdoutForProtocol, onShutdownSignal, watchParent } from '../mcp/lifecycle.ts';
import { createLogger, type Logger } from '../mcp/log.ts';
import { DataDirError } from '../core/data-dir.ts';
import { processAlive } from '../core/process-alive.ts';
import { readRuntimeFile, removeRuntimeFile, runtimeFilePath, writeRuntimeFile } from '../core/runtime-file.ts';
import { createServer, type ServerDeps } from '../mcp/server.ts';
import { serveStdio } from '../mcp/stdio-transport.ts';
import { TOOL_GROUPS } from '../mcp/tool-kit.ts';

const HELP = `Usage: daytona-tray mcp [--http [--port N] [--json] [--exit-with-parent]] [--disable-groups LIST]

Serves the Daytona MCP server.
  (no option)            stdio: JSON-RPC on stdin/stdout for one client (logs go to stderr)
  --http                 Streamable HTTP at http://127.0.0.1:PORT/mcp, the tray's mode; writes the runtime
                         file (port, token, pid; mode 0600) to the app data directory and removes it on exit
  --port N               with --http: the port (default: any free port); the address is always 127.0.0.1
  --json                 with --http: print {"url","port","pid","runtimeFile"} on stdout once listening
  --exit-with-parent     with --http: exit when the process that started this one exits
  --disable-groups LIST  leave out tool groups, comma-separated: ${TOOL_GROUPS.join(', ')}

Environment: DAYTONA_API_KEY (with DAYTONA_API_URL, DAYTONA_TARGET for self-hosted or local servers) selects the
Daytona account; ${DISABLED_GROUPS_ENV} works like --disable-groups; DAYTONA_TRAY_HOME moves the app data directory.`;

// After a clean shutdown, whatever a dependency left open (a socket, a timer) may not hold the process.
const EXIT_GRACE_MS = 2000;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        http: { type: 'boolean' },
        port: { type: 'string' },
        json: { type: 'boolean' },
        'exit-with-parent': { type: 'boolean' },
        'disable-groups': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`daytona-tray mcp: ${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!values.http && (values.port !== undefined || values.json || values['exit-with-parent'])) {
    process.stderr.write('daytona-tray mcp: --port, --json and --exit-with-parent only apply with --http.\n');
    return 2;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`daytona-tray mcp: --port must be an integer from 0 to 65535 (got '${values.port}').\n`);
    return 2;
  }

  const log = createLogger({ name: 'mcp' });
  let deps: ReturnType<typeof defaultServerDeps>;
  try {
    deps = defaultServerDeps({ log, ...(values['disable-groups'] !== undefined ? { disabledGroups: values['disable-groups'] } : {}) });
  } catch (error) {
    process.stderr.write(`daytona-tray mcp: ${(error as Error).message}.\n`);
    return 2;
  }
  const code = values.http
    ? await serveHttp(deps, log, port, Boolean(values.json), Boolean(values['exit-with-parent']))
    : await serveStdioMode(deps, log);
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  return code;
}

async function serveStdioMode(deps: ServerDeps & { dispose(): Promise<void> }, log: Logger): Promise<number> {
  keepStdoutForProtocol();
  const session = serveStdio(createServer(deps));
  const stopWatching = watchParent(() => {
    log.info('the client that started this server is gone; exiting');
    session.stop();
  });
  const removeSignals = onShutdownSignal((signal) => {
    log.info(`${signal}: exiting`);
    session.stop();
  });
  await session.done;
  stopWatching();
  removeSignals();
  await deps.dispose();
  return 0;
}

async function serveHttp(
  deps: ServerDeps & { dispose(): Promise<void> },
  log: Logger,
  port: number,
  json: boolean,
  exitWithParent: boolean,
): Promise<number> {
  const runtimeFile = runtimeFilePath();
  const existing = await readRuntimeFile(runtimeFile);
  if (existing && existing.pid !== process.pid && processAlive(existing.pid) && (await answersHealth(existing.port))) {
    process.stderr.write(
      `daytona-tray mcp: another Daytona MCP server is already running (pid ${existing.pid}, ${existing.url}). Stop it first, or let clients use it through \`daytona-tray bridge\`.\n`,
    );
    await deps.dispose();
    return 1;
  }
  let server;
  try {
    server = await startHttpServer({ createSession: () => createServer(deps), log, port });
  } catch (error) {
    const hint =
      (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? ` Port ${port} is in use: pick another with --port, or omit it.` : '';
    process.stderr.write(`daytona-tray mcp: could not start the HTTP server: ${(error as Error).message}.${hint}\n`);
    await deps.dispose();
    return 1;
  }
  try {
    await writeRuntimeFile(runtimeFile, {
      version: 1,
      url: server.url,
      port: server.port,
      token: server.token,
      pid: process.pid,
      startedAt: new Date().toISOString(),
    });
  } catch (error) {
    const why =
      error instanceof DataDirError
        ? error.message
        : `${(error as Error).message}. Check that the folder is writable (or set DAYTONA_TRAY_HOME).`;
    process.stderr.write(`daytona-tray mcp: could not write the runtime file ${runtimeFile}: ${why}\n`);
    await server.close();
    await deps.dispose();
    return 1;
  }
  log.info(`listening on ${server.url} (runtime file ${runtimeFile})`);
  const trimmer = createIdleTrimmer({ log });
  server.http.on('request', () => trimmer.touch());
  if (json) process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, pid: process.pid, runtimeFile })}\n`);

  await new Promise<void>((resolve) => {
    const removeSignals = onShutdownSignal((signal) => {
      log.info(`${signal}: closing sessions and exiting`);
      resolve();
    });
    if (exitWithParent) {
      watchParent(() => {
        log.info('the process that started this server is gone; exiting');
        removeSignals();
        resolve();
      });
    }
  });
  trimmer.stop();
  await server.close();
  await deps.dispose();
  await removeRuntimeFile(runtimeFile, process.pid);
  log.info('stopped');
  return 0;
}

async function answersHealth(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}
