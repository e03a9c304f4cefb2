import { randomBytes } from 'node:crypto';
import { removeRuntimeFile, runtimeFilePath, START_LOCK_HOLDER_ENV, startLockPath } from '../runtime-file.ts';
import type { BackoffPolicy } from './backoff.ts';
import {
  childBaseEnv,
  checkLocal,
  endpointEnv,
  localProviderReady,
  mcpChildReady,
  mcpServerArgs,
  type Endpoint,
  type McpChild,
} from './child-handshake.ts';
import { systemClock, type Clock } from './clock.ts';
import { createLogBuffer, type LogBuffer } from './log-buffer.ts';
import { loopbackPortFree } from './port-free.ts';
import { createProcessSupervisor, type ProcessSupervisor, type ProcessSupervisorOptions } from './process-supervisor.ts';
import { createAdoption } from './adoption.ts';
import type { AdoptedServer } from './shared-adopt.ts';
import { createTakeoverLock, replaceSharedServer } from './shared-takeover.ts';
import { sameServerConfig, type ServerConfig } from './server-config.ts';
import { combineStatus, whatChanged, type McpServerStatus } from './server-status.ts';
import { spawnChild, type SpawnPort } from './spawn-child.ts';

export type { McpServerStatus } from './server-status.ts';

export type ChildTimings = Partial<
  Pick<
    ProcessSupervisorOptions<unknown>,
    'readyTimeoutMs' | 'healthIntervalMs' | 'healthTimeoutMs' | 'healthFailuresToRestart' | 'stopGraceMs'
  >
>;

export interface McpSupervisorOptions {
  /** What to serve; read at start, on refresh(), and every `profileCheckMs`. */
  loadConfig(): Promise<ServerConfig>;
  /** The CLI script the children run (`<execPath> <cliScript> mcp --http`): out/main/cli.js, or the packaged app's copy. */
  cliScript: string;
  /** Default process.execPath: node under the CLI and tests, the app binary (with ELECTRON_RUN_AS_NODE) in the tray. */
  execPath?: string;
  /** The children's environment before the profile is added (default process.env; Daytona credentials in it are dropped). */
  env?: NodeJS.ProcessEnv;
  spawn?: SpawnPort;
  clock?: Clock;
  backoff?: BackoffPolicy;
  /** Both children's stderr and the supervisor's own notes (default: a new 500-line buffer). */
  log?: LogBuffer;
  /** How often settings and keychain are re-read to notice a new profile or key (default 30 s; 0: only on refresh()). */
  profileCheckMs?: number;
  timings?: ChildTimings;
  portFree?: (port: number) => Promise<boolean>;
}

export interface McpSupervisor {
  /** Reads the config and starts the server (and the local provider for the local profile). */
  start(): Promise<void>;
  /** Stops both children (SIGTERM, then SIGKILL after the grace period); resolves once nothing is left. */
  stop(): Promise<void>;
  /** "Restart MCP server" in the tray menu: a new child now, earlier failures forgotten. */
  restart(reason?: string): Promise<void>;
  /** Re-reads settings and keychain; restarts the server when the profile, its key, the port or the tool groups changed. */
  refresh(): Promise<boolean>;
  status(): McpServerStatus;
  onChange(listener: (status: McpServerStatus) => void): () => void;
  /** The last lines the children wrote, secrets removed. */
  logs(): string[];
  /**
   * Where the local provider serves, while the local profile is active and the provider is ready: the tray's
   * watcher and sandbox actions talk to it with this key (kept in memory only). Changes come with onChange.
   */
  localEndpoint(): { apiUrl: string; apiKey: string } | undefined;
}

/**
 * Keeps the MCP HTTP server running for the active profile: `daytona-tray mcp --http` as a child, with the
 * profile's key in its environment only (never argv). For the local profile it first runs the local provider
 * (`daytona-tray local --json`) the same way and hands its URL and key to the server. Both children are
 * ProcessSupervisors; this composes them and restarts the server when the profile or its key changes.
 */
export function createMcpSupervisor(options: McpSupervisorOptions): McpSupervisor {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogBuffer();
  const spawn = options.spawn ?? spawnChild;
  const execPath = options.execPath ?? process.execPath;
  const portFree = options.portFree ?? loopbackPortFree;
  const profileCheckMs = options.profileCheckMs ?? 30_000;
  const baseEnv = childBaseEnv(options.env ?? process.env);
  const runtimeFile = runtimeFilePath(baseEnv);
  // One key for the local provider per supervisor: a restarted provider keeps it, so the server need not restart.
  const localKey = `dtl_${randomBytes(32).toString('base64url')}`;
  log.addSecret(localKey);
  const note = (line: string) => log.append('supervisor', line);

  let config: ServerConfig | undefined;
  let localEndpoint: Endpoint | undefined;
  let lastMcpPort = 0;
  let lastLocalPort = 0;
  let preparedEndpoint: Endpoint | undefined;
  let started = false;
  let checkTimer: unknown;
  const listeners = new Set<(status: McpServerStatus) => void>();
  let queue: Promise<unknown> = Promise.resolve();

  const emit = () => {
    const snapshot = status();
    for (const listener of listeners) listener(snapshot);
  };

  /** Keeps the last port when it is still free (clients and the bridge reconnect to the same address). */
  async function choosePort(configured: number, last: number): Promise<number> {
    if (configured > 0) return configured;
    return last > 0 && (await portFree(last)) ? last : 0;
  }

  // Before each child starts: a server the AI clients started while no tray ran holds the runtime file (and, on
  // the local profile, the sandboxes' data); it may also have been started while a child restarted.
  // Held from the shared server's stop until the tray's server is ready: a bridge calling in that gap starts no server.
  const startLock = createTakeoverLock(startLockPath(baseEnv), note);
  // A shared server found running at start and serving what we would: supervised, not replaced.
  const adoption = createAdoption({ runtimeFile, clock, log, note, ...(options.timings ? { timings: options.timings } : {}) });
  const replaceShared = () => replaceSharedServer({ runtimeFile, note, beforeStop: startLock.hold });

  const cli = (args: string[], extraEnv: Record<string, string>) => ({
    command: execPath,
    args: [options.cliScript, ...args],
    env: { ...baseEnv, ...extraEnv },
  });

  const mcp: ProcessSupervisor<McpChild> = createProcessSupervisor<McpChild>({
    label: 'The MCP server',
    source: 'mcp',
    spawn,
    clock,
    log,
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...options.timings,
    async prepare() {
      await replaceShared();
      const current = config;
      const profile = current?.profile;
      const endpoint: Endpoint | undefined =
        profile?.kind === 'cloud'
          ? { apiUrl: profile.apiUrl, apiKey: profile.apiKey, ...(profile.target ? { target: profile.target } : {}) }
          : profile?.kind === 'local'
            ? localEndpoint
            : undefined;
      if (profile?.kind === 'local' && !endpoint) throw new Error('the local provider is not ready yet');
      preparedEndpoint = endpoint;
      const port = await choosePort(current?.port ?? 0, lastMcpPort);
      const args = mcpServerArgs(port, current?.disabledGroups ?? []);
      const env = { ...endpointEnv(endpoint), ...(startLock.held() ? { [START_LOCK_HOLDER_ENV]: String(process.pid) } : {}) };
      return { spec: cli(args, env), secrets: endpoint ? [endpoint.apiKey] : [] };
    },
    ready: (child, signal) => mcpChildReady(child, signal, log, preparedEndpoint),
    health: (child, signal) => child.pinger.ping(signal),
    onReady(child) {
      lastMcpPort = child.port;
      startLock.release();
    },
    release: (child) => child.pinger.close(),
    async onExit(child) {
      startLock.release(); // it failed: bridges may start a server of their own again
      // A killed server cannot remove its runtime file; do it so no client tries a dead address.
      if (child.pid !== undefined) await removeRuntimeFile(runtimeFile, child.pid);
    },
    onChange: emit,
  });

  const local: ProcessSupervisor<Endpoint> = createProcessSupervisor<Endpoint>({
    label: 'The local provider',
    source: 'local',
    spawn,
    clock,
    log,
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...options.timings,
    async prepare() {
      await replaceShared();
      const port = await choosePort(0, lastLocalPort);
      return {
        spec: cli(['local', '--json', '--exit-with-parent', '--port', String(port)], { DAYTONA_TRAY_LOCAL_API_KEY: localKey }),
        secrets: [localKey],
      };
    },
    ready: (child, signal) => localProviderReady(child, signal),
    health: (endpoint, signal) => checkLocal(endpoint.apiUrl, signal),
    onReady(endpoint) {
      lastLocalPort = Number(new URL(endpoint.apiUrl).port);
      const moved = localEndpoint !== undefined && (localEndpoint.apiUrl !== endpoint.apiUrl || localEndpoint.apiKey !== endpoint.apiKey);
      localEndpoint = endpoint;
      if (!started || config?.profile?.kind !== 'local') return;
      const serving = mcp.current()?.endpoint;
      if (!mcp.active()) mcp.start();
      else if (moved || (serving && serving.apiUrl !== endpoint.apiUrl)) mcp.restart(`the local provider restarted at ${endpoint.apiUrl}`);
    },
    onChange: emit,
  });

  async function loadConfigSafely(): Promise<ServerConfig> {
    try {
      return await options.loadConfig();
    } catch (error) {
      const problem = `Could not read the settings: ${(error as Error).message}`;
      note(problem);
      return { profile: undefined, profileProblem: problem, port: config?.port ?? 0, disabledGroups: config?.disabledGroups ?? [] };
    }
  }

  /** The adopted server died or stopped answering: the tray serves with its own children from now on. */
  async function lost(server: AdoptedServer, why: string): Promise<void> {
    if (adoption.current() !== server || !started || !config) return;
    note(`the adopted shared MCP server (pid ${server.pid}) ${why}: starting the tray's own`);
    await adoption.release();
    await apply(config, 'the adopted server was lost');
  }

  /** Brings the children in line with `next`. */
  async function apply(next: ServerConfig, why: string): Promise<void> {
    config = next;
    const adopted = adoption.current();
    if (adopted) {
      // Replaced as a shared server always was: the children's prepare() stops it and waits for its exit.
      note(`replacing the adopted shared MCP server (pid ${adopted.pid}): ${why}`);
      await adoption.release();
    }
    if (next.profileProblem) note(next.profileProblem);
    if (next.profile?.kind !== 'local') {
      if (local.active()) await local.stop();
      localEndpoint = undefined;
      if (mcp.active()) mcp.restart(why);
      else mcp.start();
    } else if (!local.active()) {
      // A server for another profile must not keep serving; a new one starts once the provider is ready.
      if (mcp.active()) await mcp.stop();
      local.start();
    } else if (mcp.active()) {
      mcp.restart(why);
    } else if (localEndpoint) {
      mcp.start();
    }
    emit();
  }

  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => {});
    return run;
  }

  function scheduleCheck(): void {
    if (profileCheckMs <= 0 || !started) return;
    checkTimer = clock.setTimeout(() => {
      void refresh()
        .catch((error: unknown) => note(`profile check failed: ${(error as Error).message}`))
        .finally(scheduleCheck);
    }, profileCheckMs);
  }

  function refresh(): Promise<boolean> {
    return serialized(async () => {
      if (!started) return false;
      let next: ServerConfig;
      try {
        next = await options.loadConfig();
      } catch (error) {
        // Keep serving what we have: an unreadable settings file is no reason to drop a working profile.
        note(`could not re-read the settings, keeping the current profile: ${(error as Error).message}`);
        return false;
      }
      if (!started) return false;
      if (sameServerConfig(config, next)) {
        if (config && config.profileProblem !== next.profileProblem) {
          config = next;
          emit();
        }
        return false;
      }
      const why = whatChanged(config, next);
      note(`restarting: ${why}`);
      await apply(next, why);
      return true;
    });
  }

  function status(): McpServerStatus {
    const wantLocal = config?.profile?.kind === 'local';
    const adopted = adoption.current();
    if (adopted) {
      return combineStatus({
        started,
        config,
        server: adopted.status('The MCP server'),
        provider: wantLocal ? adopted.status('The local provider') : undefined,
        running: { url: adopted.url, port: adopted.port },
      });
    }
    return combineStatus({
      started,
      config,
      server: mcp.status(),
      provider: wantLocal || local.active() ? local.status() : undefined,
      running: mcp.current(),
    });
  }

  return {
    start: () =>
      serialized(async () => {
        if (started) return;
        started = true;
        const next = await loadConfigSafely();
        if (await adoption.adopt(next, (server, why) => void serialized(() => lost(server, why)))) {
          config = next;
          emit();
        } else {
          await apply(next, 'starting');
        }
        scheduleCheck();
      }),
    stop: () =>
      serialized(async () => {
        if (!started) return;
        started = false;
        clock.clearTimeout(checkTimer);
        await adoption.leave();
        await mcp.stop();
        await local.stop();
        startLock.release();
        localEndpoint = undefined;
        emit();
      }),
    restart: (reason = 'restart requested') =>
      serialized(async () => {
        if (!started) return;
        note(`restarting: ${reason}`);
        if (adoption.current() && config) return apply(config, reason);
        if (config?.profile?.kind === 'local') local.restart(reason);
        if (mcp.active()) mcp.restart(reason);
        else if (config?.profile?.kind !== 'local') mcp.start();
      }),
    refresh,
    status,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    logs: () => log.lines(),
    localEndpoint: () => {
      const adopted = adoption.current();
      const endpoint = adopted ? adopted.local : localEndpoint;
      return started && config?.profile?.kind === 'local' && endpoint ? { apiUrl: endpoint.apiUrl, apiKey: endpoint.apiKey } : undefined;
    },
  };
}
