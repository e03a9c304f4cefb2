import type { IncomingMessage } from 'node:http';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultServerDeps, DISABLED_GROUPS_ENV, sessionGroups } from '../mcp/default-deps.ts';
import { startHttpServer, type HttpMcpServer } from '../mcp/http-transport.ts';
import { createIdleTrimmer } from '../mcp/idle-trim.ts';
import { keepStdoutForProtocol, onShutdownSignal, watchParent } from '../mcp/lifecycle.ts';
import { createLogger, type Logger } from '../mcp/log.ts';
import { DataDirError, makeDataDir } from '../core/data-dir.ts';
import { processAlive } from '../core/process-alive.ts';
import {
  readRuntimeFile,
  removeRuntimeFile,
  runtimeFilePath,
  START_LOCK_HOLDER_ENV,
  startLockPath,
  writeRuntimeFile,
  type RuntimeInfo,
} from '../core/runtime-file.ts';
import { lockHolder, withFileLock } from '../core/file-lock.ts';
import { HEALTH_CHECK_HEADER } from '../core/supervisor/health-check-header.ts';
import { createSettingsStore } from '../core/settings/settings-store.ts';
import { createIdleExit, SHARED_GRACE_ENV, sharedGraceMs } from '../mcp/shared-lifetime.ts';
import { createServer, type ServerDeps } from '../mcp/server.ts';
import { describeSharedServer } from '../mcp/shared-info.ts';
import type { ProfileSource } from '../mcp/profile-source.ts';
import { serveStdio } from '../mcp/stdio-transport.ts';
import { TOOL_GROUPS } from '../mcp/tool-kit.ts';

const HELP = `Usage: daytona-tray mcp [--http [--port N] [--json] [--exit-with-parent | --shared]] [--disable-groups LIST]

Serves the Daytona MCP server.
  (no option)            stdio: JSON-RPC on stdin/stdout for one client (logs go to stderr)
  --http                 Streamable HTTP at http://127.0.0.1:PORT/mcp, the tray's mode; writes the runtime
                         file (port, token, pid; mode 0600) to the app data directory and removes it on exit
  --port N               with --http: the port (default: any free port); the address is always 127.0.0.1
  --json                 with --http: print {"url","port","pid","runtimeFile"} on stdout once listening
  --exit-with-parent     with --http: exit when the process that started this one exits
  --shared               with --http: the server a bridge starts for every AI client when no tray runs; if
                         another server is already running it exits at once (with --json printing
                         {"alreadyRunning":true,...}); otherwise it exits once no client has used it for
                         the settings' mcp.sharedGraceMinutes (default 10; ${SHARED_GRACE_ENV}
                         in ms overrides it); a tray started meanwhile asks it what it serves (GET /server-info with the
                         token) and adopts it when that is what the tray would serve
  --disable-groups LIST  leave out tool groups, comma-separated: ${TOOL_GROUPS.join(', ')}

Two servers never run at once: starting takes the start lock (mcp-server.lock beside the runtime file).

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
        shared: { type: 'boolean' },
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
  if (!values.http && (values.port !== undefined || values.json || values['exit-with-parent'] || values.shared)) {
    process.stderr.write('daytona-tray mcp: --port, --json, --exit-with-parent and --shared only apply with --http.\n');
    return 2;
  }
  if (values.shared && values['exit-with-parent']) {
    process.stderr.write('daytona-tray mcp: --shared outlives the process that started it; leave out --exit-with-parent.\n');
    return 2;
  }
  let graceMs = 0;
  try {
    graceMs = sharedGraceMs(process.env, values.shared ? await graceSettingMs() : undefined);
  } catch (error) {
    if (values.shared) {
      process.stderr.write(`daytona-tray mcp: ${(error as Error).message}.\n`);
      return 2;
    }
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`daytona-tray mcp: --port must be an integer from 0 to 65535 (got '${values.port}').\n`);
    return 2;
  }

  const log = createLogger({ name: values.shared ? 'mcp shared' : 'mcp' });
  // A shared server's stdout is its bridge's pipe, closed once the bridge read the ready line.
  if (values.shared) keepStdoutForProtocol();
  let deps: ReturnType<typeof defaultServerDeps>;
  try {
    deps = defaultServerDeps({ log, ...(values['disable-groups'] !== undefined ? { disabledGroups: values['disable-groups'] } : {}) });
  } catch (error) {
    process.stderr.write(`daytona-tray mcp: ${(error as Error).message}.\n`);
    return 2;
  }
  const code = values.http
    ? await serveHttp(deps, log, {
        port,
        json: Boolean(values.json),
        exitWithParent: Boolean(values['exit-with-parent']),
        shared: Boolean(values.shared),
        graceMs,
      })
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

interface HttpMode {
  port: number;
  json: boolean;
  exitWithParent: boolean;
  /** Started by a bridge for every client: exits a grace period after the last one left. */
  shared: boolean;
  graceMs: number;
}

type Started = { server: HttpMcpServer } | { existing: RuntimeInfo } | { code: number };

// Waiting covers a shared server that is stopping its sandboxes while it holds the lock (see stopWhenIdle).
const START_LOCK = { waitMs: 60_000, staleMs: 90_000 };
/** How long a shared server asked to stop lets its calls in flight finish (then they are cut, as before). */
const SHARED_DRAIN_MS = 30_000;

type HttpDeps = ServerDeps & { profiles: ProfileSource; dispose(): Promise<void> };

async function serveHttp(deps: HttpDeps, log: Logger, mode: HttpMode): Promise<number> {
  const runtimeFile = runtimeFilePath();
  const lockFile = startLockPath();
  let started: Started;
  try {
    await makeDataDir(dirname(lockFile));
    // Checking the runtime file and writing ours is one step under the lock: of two servers started at the same
    // moment one serves and the other sees it (a check alone would let both start, one missing from the file).
    // A tray replacing a shared server holds the lock for the whole takeover and starts this server inside it.
    const heldByParent =
      process.env[START_LOCK_HOLDER_ENV] === String(process.ppid) && (await lockHolder(lockFile, START_LOCK)) === process.ppid;
    started = heldByParent
      ? await startUnlessRunning(deps, log, mode, runtimeFile)
      : await withFileLock(lockFile, () => startUnlessRunning(deps, log, mode, runtimeFile), START_LOCK);
  } catch (error) {
    process.stderr.write(`daytona-tray mcp: could not start: ${(error as Error).message}\n`);
    await deps.dispose();
    return 1;
  }
  if ('code' in started) {
    await deps.dispose();
    return started.code;
  }
  if ('existing' in started) {
    const { pid, url, shared } = started.existing;
    await deps.dispose();
    if (!mode.shared) {
      process.stderr.write(
        `daytona-tray mcp: another Daytona MCP server is already running (pid ${pid}, ${url}). Stop it first, or let clients use it through \`daytona-tray bridge\`.\n`,
      );
      return 1;
    }
    // Another bridge's server won the start: the bridge that started this one relays to it.
    log.info(`another Daytona MCP server is already running (pid ${pid}, ${url}); not starting a second one`);
    if (mode.json) process.stdout.write(`${JSON.stringify({ alreadyRunning: true, url, pid, shared: shared === true })}\n`);
    return 0;
  }
  const { server } = started;
  log.info(`listening on ${server.url} (runtime file ${runtimeFile}${mode.shared ? '; shared by AI clients, no tray' : ''})`);
  const trimmer = createIdleTrimmer({ log });
  server.http.on('request', (req: IncomingMessage) => {
    if (req.headers[HEALTH_CHECK_HEADER] === undefined) trimmer.touch();
  });
  if (mode.json) process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, pid: process.pid, runtimeFile })}\n`);

  const why = await new Promise<'signal' | 'idle'>((resolve) => {
    const removeSignals = onShutdownSignal((signal) => {
      log.info(`${signal}: closing sessions and exiting`);
      resolve('signal');
    });
    if (mode.shared) {
      const idle = createIdleExit({ graceMs: mode.graceMs, log, onIdle: () => resolve('idle'), busy: () => server.requestsInFlight() > 0 });
      server.onSessionCount((count) => idle.sessions(count));
    }
    if (mode.exitWithParent) {
      watchParent(() => {
        log.info('the process that started this server is gone; exiting');
        removeSignals();
        resolve('signal');
      });
    }
  });
  trimmer.stop();
  const stop = async () => {
    // The runtime file goes first: a client that reconnects meanwhile finds no server, not a closing one.
    await removeRuntimeFile(runtimeFile, process.pid);
    // Replaced by a tray (SIGTERM): the calls in flight finish, within the tray's wait for this exit (60 s).
    if (mode.shared && why === 'signal') await server.drain(SHARED_DRAIN_MS);
    await server.close();
    await deps.dispose();
  };
  // Idle, the server keeps the start lock until its local sandboxes are stopped: the next server to start
  // then finds the local provider's data free. (On a signal the tray may hold the lock, waiting for this exit.)
  if (why === 'idle') await withFileLock(lockFile, stop, START_LOCK).catch(stop);
  else await stop();
  log.info('stopped');
  return 0;
}

async function startUnlessRunning(deps: HttpDeps, log: Logger, mode: HttpMode, runtimeFile: string): Promise<Started> {
  const existing = await readRuntimeFile(runtimeFile);
  if (existing && existing.pid !== process.pid && processAlive(existing.pid) && (await answersHealth(existing.port))) {
    return { existing };
  }
  let server: HttpMcpServer | undefined;
  try {
    server = await startHttpServer({
      createSession: ({ tools }) => createServer({ ...deps, groups: sessionGroups(deps.groups, tools) }),
      log,
      port: mode.port,
      // A tray that starts while this shared server runs asks what it serves, to adopt it rather than replace it.
      ...(mode.shared ? { describe: describeSharedServer({ ...deps, sessions: () => server?.sessionCount() ?? 0 }) } : {}),
    });
  } catch (error) {
    const hint =
      (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? ` Port ${mode.port} is in use: pick another with --port, or omit it.` : '';
    process.stderr.write(`daytona-tray mcp: could not start the HTTP server: ${(error as Error).message}.${hint}\n`);
    return { code: 1 };
  }
  try {
    await writeRuntimeFile(runtimeFile, {
      version: 1,
      url: server.url,
      port: server.port,
      token: server.token,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      ...(mode.shared ? { shared: true } : {}),
    });
  } catch (error) {
    const why =
      error instanceof DataDirError
        ? error.message
        : `${(error as Error).message}. Check that the folder is writable (or set DAYTONA_TRAY_HOME).`;
    process.stderr.write(`daytona-tray mcp: could not write the runtime file ${runtimeFile}: ${why}\n`);
    await server.close();
    return { code: 1 };
  }
  return { server };
}

async function answersHealth(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** The settings' grace period; the default when the settings cannot be read (the server must start anyway). */
async function graceSettingMs(): Promise<number | undefined> {
  try {
    return (await createSettingsStore().load()).settings.mcp.sharedGraceMinutes * 60_000;
  } catch {
    return undefined;
  }
}
