import { buildApp } from '../app/build-app.ts';
import { registerBridgeHandlers } from '../app/ipc-registry.ts';
import { openSystemBrowser } from '../core/auth/open-browser.ts';
import { EVENT_CHANNELS } from '../../preload/contract.ts';
import { connectDbusNotifications } from './dbus-notifications.ts';
import { createSocketBridge } from './socket-bridge.ts';
import { createWebDesktop } from './web-desktop.ts';
import { claimWebInstance } from './web-instance.ts';
import { startWebServer, type WebServer } from './web-server.ts';

export interface WebAppOptions {
  /** out/main/cli.js: the MCP server, the local provider and the clients' bridge run it. */
  cliScript: string;
  rendererDir: string;
  webPreloadFile: string;
  /** The app data dir (DAYTONA_TRAY_HOME): one web app per data dir. */
  dataDir: string;
  version: string;
  /** 0: a free port. */
  port: number;
  /** Open the default browser at the page (false: --no-open). */
  open: boolean;
  /** Called once with the link that opens the page (a one-time token in it), or the running app's page. */
  ready(link: string, alreadyRunning: boolean): void;
  log(line: string): void;
  /** Longest wait at stop for the services (children reaped). Default 15 s. */
  stopTimeoutMs?: number;
}

export interface RunningWebApp {
  server: WebServer;
  /** Resolves once the app stopped (a signal, or Quit); `stop()` starts that. */
  stopped: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The web shell: the same app as the tray (buildApp, the same handlers and registry), its window served to
 * browsers on 127.0.0.1, its notifications to the open pages and the desktop's notification service.
 */
export async function runWebApp(options: WebAppOptions): Promise<RunningWebApp | { alreadyRunning: string }> {
  const { log } = options;
  const claim = await claimWebInstance(options.dataDir, log);
  if (claim.running) {
    // One app per data dir: its page, with a new link, instead of a second app.
    options.ready(claim.link, true);
    if (options.open) await openSystemBrowser(claim.link).catch((error: unknown) => log((error as Error).message));
    return { alreadyRunning: claim.origin };
  }
  const instance = claim;
  const bridge = createSocketBridge({ log });
  let server: WebServer;
  try {
    server = await startWebServer({
      rendererDir: options.rendererDir,
      webPreloadFile: options.webPreloadFile,
      port: options.port,
      ...(instance.previous ? { preferredPort: instance.previous.port, session: instance.previous.session } : {}),
      control: instance.control,
      bridge,
      log,
    });
    await instance.publish(server.port, server.access.session);
  } catch (error) {
    await instance.release();
    throw error;
  }
  const desktopNotifications = await connectDbusNotifications(log);

  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<void> | undefined;
  const desktop = createWebDesktop({
    bridge,
    version: options.version,
    link: () => server.link(),
    openBrowser: (url) => openSystemBrowser(url),
    mayOpenBrowser: options.open,
    ...(desktopNotifications ? { desktopNotifications } : {}),
    quit: () => void stop(),
    log,
  });
  const { app } = buildApp({ desktop, cliScript: options.cliScript, log });

  function stop(): Promise<void> {
    stopping ??= (async () => {
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.stopTimeoutMs ?? 15_000).unref());
      await Promise.race([app.stop(), timeout]).catch((error: unknown) => log(`stopping the services failed: ${(error as Error).message}`));
      desktopNotifications?.stop();
      await server.close();
      await instance.release();
      resolveStopped();
    })();
    return stopping;
  }

  registerBridgeHandlers(bridge.port, app.handlers, { isTrusted: bridge.isTrusted, log });
  app.onState((state) => bridge.broadcast(EVENT_CHANNELS.onStateChanged, state));
  // A page that reconnects (sleep, a dropped socket) gets the state it missed at once; one that comes back
  // while the app is still starting gets it with the first state the start publishes.
  let started = false;
  bridge.onPageOpened((send) => {
    if (started) send(EVENT_CHANNELS.onStateChanged, app.state());
  });
  bridge.onPagesChanged((pages) => app.windowVisible(pages > 0));
  try {
    await app.start();
    started = true;
  } catch (error) {
    await stop();
    throw error;
  }
  options.ready(server.link(), false);
  if (options.open) {
    // Its own link: the printed one stays good for another browser.
    void openSystemBrowser(server.link()).catch((error: unknown) =>
      log((error as Error).message.replace(/Open this address yourself: \S+/, 'Open the address above yourself.')),
    );
  }
  return { server, stopped, stop };
}
