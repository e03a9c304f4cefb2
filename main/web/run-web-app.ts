import { buildApp } from '../app/build-app.ts';
import { registerBridgeHandlers } from '../app/ipc-registry.ts';
import { openSystemBrowser } from '../core/auth/open-browser.ts';
import { EVENT_CHANNELS } from '../../preload/contract.ts';
import { connectDbusNotifications } from './dbus-notifications.ts';
import { createSocketBridge } from './socket-bridge.ts';
import { createWebDesktop } from './web-desktop.ts';
import { startWebServer, type WebServer } from './web-server.ts';

export interface WebAppOptions {
  /** out/main/cli.js: the MCP server, the local provider and the clients' bridge run it. */
  cliScript: string;
  rendererDir: string;
  webPreloadFile: string;
  version: string;
  /** 0: a free port. */
  port: number;
  /** Open the default browser at the page (false: --no-open). */
  open: boolean;
  /** Called once with the link that opens the page (a one-time token in it). */
  ready(link: string): void;
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
export async function runWebApp(options: WebAppOptions): Promise<RunningWebApp> {
  const { log } = options;
  const bridge = createSocketBridge({ log });
  const server = await startWebServer({
    rendererDir: options.rendererDir,
    webPreloadFile: options.webPreloadFile,
    port: options.port,
    bridge,
    log,
  });
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
      resolveStopped();
    })();
    return stopping;
  }

  registerBridgeHandlers(bridge.port, app.handlers, { isTrusted: bridge.isTrusted, log });
  app.onState((state) => bridge.broadcast(EVENT_CHANNELS.onStateChanged, state));
  bridge.onPagesChanged((pages) => app.windowVisible(pages > 0));
  try {
    await app.start();
  } catch (error) {
    await stop();
    throw error;
  }
  options.ready(server.link());
  if (options.open) {
    // Its own link: the printed one stays good for another browser.
    void openSystemBrowser(server.link()).catch((error: unknown) =>
      log((error as Error).message.replace(/Open this address yourself: \S+/, 'Open the address above yourself.')),
    );
  }
  return { server, stopped, stop };
}
