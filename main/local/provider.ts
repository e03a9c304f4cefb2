import { randomBytes } from 'node:crypto';
import { DEFAULT_WARM_POOL_SIZE } from '../core/settings/settings-schema.ts';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { requireBearer } from './auth.ts';
import { apiRoutes } from './api-routes.ts';
import { ApiError, errorHandler } from './errors.ts';
import { createEventsGateway } from './events-gateway.ts';
import { attachLogStreams } from './log-stream.ts';
import { PreviewLinks } from './preview/preview-links.ts';
import { startPreviewProxy } from './preview/preview-proxy.ts';
import { MAX_AUTO_ARCHIVE_MINUTES } from './lifecycle/new-sandbox.ts';
import type { EmitEvent } from './lifecycle/state-recorder.ts';
import { LOCAL_SNAPSHOT, type SandboxRecord, type SandboxState } from './sandbox-record.ts';
import { SandboxService } from './sandbox-service.ts';
import { createSandboxRunner, type SandboxRunner } from './sandbox-runner/index.ts';
import { WarmPool } from './sandbox-runner/warm-pool.ts';
import { warmPoolRoutes } from './warm-pool-routes.ts';
import { SandboxStore } from './sandbox-store.ts';
import { Desktops } from './toolbox/computer-use/desktops.ts';
import { PtySessions } from './toolbox/pty/pty-sessions.ts';
import { ptyUpgrade } from './toolbox/pty/pty-socket.ts';
import { InterpreterContexts } from './toolbox/interpreter/contexts.ts';
import { LspServers } from './toolbox/lsp/lsp-servers.ts';
import { executeUpgrade } from './toolbox/interpreter/execute-socket.ts';
import { DaemonEnv } from './toolbox/server/daemon-env.ts';
import { SessionManager } from './toolbox/sessions.ts';
import { toolboxRoutes } from './toolbox/toolbox-routes.ts';
import { createKeyringSecretStore } from '../core/secrets/keyring-secret-store.ts';
import type { SecretStore } from '../core/secrets/secret-store.ts';
import { resourceRoutes } from './resource-routes.ts';
import { resolveCreateResources, sandboxResourceHooks } from './sandbox-resources.ts';
import { SecretVault } from './secrets/secret-vault.ts';
import { VolumeStore } from './volumes/volume-store.ts';

export const LOCAL_PROVIDER_VERSION = '0.1.0';
/** States in which nothing of the sandbox runs any more (a paused one keeps its processes, frozen). */
const PROCESSES_GONE: ReadonlySet<SandboxState> = new Set(['stopped', 'archived', 'destroyed', 'error']);
const LOOPBACK = '127.0.0.1';

export interface LocalProviderOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Defaults to a fresh random key per start (it is printed once, never written to disk). */
  apiKey?: string;
  /** Milliseconds per minute of auto-stop/archive/delete intervals (DAYTONA_TRAY_LOCAL_MINUTE_MS). */
  minuteMs?: number;
  maxUploadBytes?: number;
  log?: (line: string) => void;
  /** Port of the preview proxy on 127.0.0.1; 0 (default) picks a free one. */
  previewPort?: number;
  /** The lifecycle clock (default Date.now); tests drive auto-stop with it. */
  now?: () => number;
  /** Where secrets' values are kept (default: the OS keychain). */
  secrets?: SecretStore;
  /** Sandboxes kept started ahead of need, so a create takes one (settings: the local profile's warmPoolSize); 0 turns it off. */
  warmPoolSize?: number;
  /** Where the computer-use desktop's programs (Xvfb, openbox...) are looked for; tests simulate a machine lacking one. */
  findDesktopUtility?: (command: string) => string | undefined;
}

export interface LocalProvider {
  apiUrl: string;
  apiKey: string;
  port: number;
  isolation: 'bubblewrap' | 'none';
  /** 'own': each sandbox has a network namespace of its own; 'shared': sandboxes use the host's network. */
  network: 'own' | 'shared';
  /** How sandboxes' cpu, memory and pids are limited and pause freezes them (cgroups), or why they are not. */
  limits: SandboxRunner['limits'];
  /** Port of the preview proxy (http://<port>-<sandbox id>.localhost:<previewPort>/). */
  previewPort: number;
  /** The HTTP server (tests observe requests on it). */
  http: HttpServer;
  service: SandboxService;
  /** Sandboxes started ahead of need (its size can change while the provider runs). */
  warmPool: WarmPool;
  /** Stops every sandbox process, saves state and closes the server. */
  close(): Promise<void>;
}

/**
 * Starts the embedded Daytona-compatible provider on loopback: the REST API under /api, Socket.IO events
 * at /api/socket.io/, and the toolbox under /toolbox/{id}. Data lives in `dataDir`.
 */
export async function startLocalProvider(options: LocalProviderOptions): Promise<LocalProvider> {
  const log = options.log ?? (() => {});
  const store = new SandboxStore(options.dataDir);
  await store.lock();
  try {
    return await serve(options, store, log);
  } catch (error) {
    await store.unlock();
    throw error;
  }
}

async function serve(options: LocalProviderOptions, store: SandboxStore, log: (line: string) => void): Promise<LocalProvider> {
  const apiKey = options.apiKey ?? `dtl_${randomBytes(32).toString('base64url')}`;
  const minuteMs = options.minuteMs ?? 60_000;
  for (const name of await store.load()) log(`could not read sandbox metadata ${name}; left in place`);
  const volumes = new VolumeStore(options.dataDir, options.now);
  const secrets = new SecretVault(options.dataDir, options.secrets ?? createKeyringSecretStore(), options.now);
  for (const name of [...(await volumes.load()), ...(await secrets.load())])
    log(`could not read volume or secret metadata ${name}; left in place`);
  const resources = { volumes, secrets };
  const hooks = sandboxResourceHooks(resources);
  const baseRunner = await createSandboxRunner(join(options.dataDir, 'etc'), log);
  const warmPool = new WarmPool(baseRunner, {
    dir: join(store.sandboxesDir, '.warm-pool'),
    size: options.warmPoolSize ?? DEFAULT_WARM_POOL_SIZE,
    log: (line) => log(`warm pool: ${line}`),
  });
  const runner = warmPool.runner();
  if (runner.isolation === 'none') log(`sandboxes run as plain processes (not isolated): ${runner.unisolatedReason}`);
  else if (runner.network === 'shared') log(`sandboxes share the host's network: ${runner.sharedNetworkReason}`);
  // Said once: each pause and resize logs what it did, not why again.
  if (runner.limits.enforced) log(`each sandbox gets a cgroup of its own, ${runner.limits.how}`);
  else log(`sandbox limits are recorded, not enforced, and pause sends SIGSTOP: ${runner.limits.reason}`);

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // The SDK gives file transfers 30 minutes; Node's default 5-minute request timeout would cut them off.
  const http = createServer({ requestTimeout: 35 * 60_000 }, app);
  // Every socket, upgraded ones (log streams) included: closeAllConnections() does not see those.
  const sockets = new Set<Socket>();
  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const gateway = createEventsGateway(http, apiKey);
  // What the toolbox keeps per running sandbox (the daemon's environment, interpreter contexts) ends with its processes.
  const daemonEnv = new DaemonEnv();
  const whenStopped: ((sandboxId: string) => void)[] = [(id) => daemonEnv.forget(id)];
  const emit: EmitEvent = (event, payload) => {
    gateway.emit(event, payload);
    const change = payload as { sandbox?: { id?: string }; newState?: string } | undefined;
    if (event === 'sandbox.state.updated' && change?.sandbox?.id && PROCESSES_GONE.has(change.newState as SandboxState)) {
      for (const forget of whenStopped) forget(change.sandbox.id);
    }
  };
  let baseUrl = '';
  const service = new SandboxService({
    store,
    runner,
    emit,
    toolboxProxyUrl: () => `${baseUrl}/toolbox`,
    minuteMs,
    log,
    ...(options.now ? { now: options.now } : {}),
    resources: hooks,
  });
  await service.recoverAfterRestart();
  let previewPort = 0;
  const links = new PreviewLinks(() => previewPort, options.now);
  const proxy = await startPreviewProxy(
    {
      links,
      log,
      sandbox: (id) => service.get(id),
      connect: (id, port) => service.connect(id, port),
    },
    options.previewPort ?? 0,
  ).catch(async (error: unknown) => {
    await Promise.all([service.shutdown(), warmPool.close()]);
    throw error;
  });
  previewPort = proxy.port;
  const desktops = new Desktops(
    { service, runner },
    { log: (line) => log(`computer use: ${line}`), findUtility: options.findDesktopUtility },
  );
  const exec = {
    service,
    runner,
    desktopEnvOf: (id: string) => desktops.envOf(id),
    envOf: (record: SandboxRecord) => daemonEnv.of(record.id, record.env),
  };
  const sessions = new SessionManager(exec);
  const ptys = new PtySessions(exec);
  const contexts = new InterpreterContexts(exec);
  const lsp = new LspServers(exec);
  whenStopped.push(
    (id) => contexts.forget(id),
    (id) => lsp.forget(id),
    (id) => desktops.forget(id),
  );

  app.use((_req, res, next) => {
    res.setHeader('X-Daytona-Api-Version', LOCAL_PROVIDER_VERSION);
    next();
  });
  app.get('/api/config', (_req, res) => {
    res.json({
      version: LOCAL_PROVIDER_VERSION,
      linkedAccountsEnabled: false,
      announcements: {},
      proxyTemplateUrl: `http://{{PORT}}-{{sandboxId}}.localhost:${previewPort}`,
      proxyToolboxUrl: `${baseUrl}/toolbox`,
      defaultSnapshot: LOCAL_SNAPSHOT,
      dashboardUrl: '',
      maxAutoArchiveInterval: MAX_AUTO_ARCHIVE_MINUTES,
      maintananceMode: false,
      environment: 'local',
      // Our own block: what this provider is, so clients can show it honestly.
      localProvider: {
        isolation: runner.isolation,
        isolated: runner.isolation !== 'none',
        ...(runner.unisolatedReason ? { notIsolatedBecause: runner.unisolatedReason } : {}),
        network: runner.network,
        ...(runner.sharedNetworkReason ? { sharedNetworkBecause: runner.sharedNetworkReason } : {}),
        previewProxy: `http://127.0.0.1:${previewPort}`,
        imagesPulled: false,
        note: 'Local sandboxes run on this machine: images and snapshots are recorded but not pulled; the host system is visible read-only.',
        minuteMs,
      },
    });
  });
  const startedAt = new Date().toISOString();
  app.use(
    '/api',
    requireBearer(apiKey),
    resourceRoutes({
      volumes,
      secrets,
      sandboxes: () => service.list(),
      startedAt,
      async updateSandboxSecrets(idOrName, list) {
        const record = service.get(idOrName);
        const named = resolveCreateResources({ secrets: list ?? [], env: record.env }, resources, service.isolation).secrets;
        const updated = await service.update(idOrName, (r) => {
          if (named) r.secrets = named;
          else delete r.secrets;
        });
        await hooks.refreshSecrets(updated);
        return service.dto(updated);
      },
    }),
    warmPoolRoutes(warmPool),
    apiRoutes(service, links, resources),
  );
  app.use(
    '/toolbox',
    requireBearer(apiKey),
    toolboxRoutes({
      ...exec,
      sessions,
      ptys,
      desktops,
      daemonEnv,
      interpreters: contexts,
      lsp,
      version: LOCAL_PROVIDER_VERSION,
      maxUploadBytes: options.maxUploadBytes ?? 2 * 1024 ** 3,
    }),
  );
  app.use((req) => {
    throw new ApiError(404, `Cannot ${req.method} ${req.path}: no such route on the local provider.`);
  });
  app.use(errorHandler(log));
  attachLogStreams(http, apiKey, service, sessions, [ptyUpgrade({ service, ptys }), executeUpgrade(service, contexts)]);

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, LOOPBACK, () => {
      http.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await gateway.close();
    await proxy.close();
    // The warm pool has started sandboxes already: they would keep the process (and their namespaces) alive.
    await Promise.all([service.shutdown(), warmPool.close()]);
    throw error;
  });
  const port = (http.address() as AddressInfo).port;
  baseUrl = `http://${LOOPBACK}:${port}`;

  // Daytona checks auto-stop/archive/delete every 10 s, i.e. 1/6 of a minute; scaled time keeps the ratio.
  const tickMs = Math.max(20, Math.min(10_000, Math.floor(minuteMs / 6)));
  const ticker = setInterval(() => {
    void service.tick();
  }, tickMs);
  const flusher = setInterval(() => {
    service.flushActivity().catch((error: unknown) => log(`could not save activity times: ${String(error)}`));
  }, 2000);

  let closing: Promise<void> | undefined;
  return {
    apiUrl: `${baseUrl}/api`,
    apiKey,
    port,
    isolation: runner.isolation,
    network: runner.network,
    limits: runner.limits,
    previewPort,
    http,
    service,
    warmPool,
    close() {
      closing ??= (async () => {
        clearInterval(ticker);
        clearInterval(flusher);
        desktops.forgetAll();
        // Stop taking connections first; requests already in flight finish (or get 503) while the
        // service lets running transitions end, kills every sandbox process and saves state.
        const closed = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeIdleConnections();
        try {
          await Promise.all([service.shutdown(), warmPool.close()]);
          await Promise.all([volumes.flushed(), secrets.flushed()]);
          await baseRunner.close?.().catch((error: unknown) => log(`could not remove the sandboxes' base cgroup: ${String(error)}`));
        } finally {
          await proxy.close();
          // io.close() says goodbye to Socket.IO clients, then waits for the HTTP server to close, which
          // waits for every connection: end the rest (keep-alive, half-sent requests, log streams) meanwhile.
          const gatewayClosed = gateway.close();
          await new Promise((resolve) => setImmediate(resolve));
          http.closeAllConnections();
          for (const socket of sockets) socket.destroy();
          await gatewayClosed;
          await closed;
          await store.unlock();
        }
      })();
      return closing;
    },
  };
}
