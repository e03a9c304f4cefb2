import { access } from 'node:fs/promises';
import type { Settings } from '../core/settings/settings-schema.ts';
import type { AppState } from '../../preload/contract.ts';
import { createAppStateStore } from './app-state-store.ts';
import { entriesAtStart } from './client-repair.ts';
import { unavailableFeatures } from './desktop-port.ts';
import { createAccountPart } from './handlers/account.ts';
import { actionsOrFail, dashboardUrl, openWebPage, type HandlerContext, type TrayAppDeps } from './handlers/context.ts';
import { createClientsPart } from './handlers/clients.ts';
import { createProfileHandlers } from './handlers/profile.ts';
import { createSandboxHandlers } from './handlers/sandboxes.ts';
import { createServerHandlers, openLogFile } from './handlers/server.ts';
import { createSettingsPart } from './handlers/settings.ts';
import type { BridgeHandlers } from './ipc-registry.ts';
import type { NotificationAction } from './notification-view.ts';
import type { TrayMenuAction } from './tray-menu.ts';

export type { TrayAppDeps } from './handlers/context.ts';

export interface TrayApp {
  /** Loads settings, starts the supervisor and the profile session, reads the clients. */
  start(): Promise<void>;
  /** Stops the session and the supervisor (children reaped). */
  stop(): Promise<void>;
  handlers: BridgeHandlers;
  state(): AppState;
  onState(listener: (state: AppState) => void): () => void;
  runTrayAction(action: TrayMenuAction): Promise<void>;
  runAlertAction(action: NotificationAction): Promise<void>;
  /** The settings as last read. */
  settings(): Settings;
  windowVisible(visible: boolean): void;
  /** After sleep or a network change: reconnect the events and list now. */
  wake(): void;
}

const SETTINGS_CHECK_MS = 30_000;

/**
 * The app behind the window and the tray: the contract's handlers, one module per concern (main/app/handlers),
 * over one AppState snapshot (app-state-store.ts); and what the tray menu and notifications ask for. Plain
 * TypeScript: a shell only forwards its desktop's events here.
 */
export function createTrayApp(deps: TrayAppDeps): TrayApp {
  const log = deps.log ?? (() => {});
  const { session, supervisor, desktop } = deps;
  const store = createAppStateStore({
    settings: deps.settings,
    session,
    supervisor,
    version: desktop.version,
    platform: desktop.platform,
    unavailable: unavailableFeatures(desktop),
    log,
  });
  const ctx: HandlerContext = { ...deps, store, log };

  const account = createAccountPart(ctx);
  const clients = createClientsPart(ctx);
  const settings = createSettingsPart(ctx);
  // Every contract method, each from the module of its concern; a missing one fails to compile here.
  const handlers: BridgeHandlers = {
    ...settings.handlers,
    ...createProfileHandlers(ctx, { onProfileChanged: account.profileChanged }),
    ...account.handlers,
    ...createSandboxHandlers(ctx),
    ...clients.handlers,
    ...createServerHandlers(ctx),
  };

  let settingsTimer: ReturnType<typeof setInterval> | undefined;
  const unsubscribe: (() => void)[] = [];

  async function runTrayAction(action: TrayMenuAction): Promise<void> {
    switch (action.type) {
      case 'open-window':
        desktop.showWindow(action.view ? { view: action.view } : undefined);
        return;
      case 'connect-client':
      case 'disconnect-client':
        await clients.change(action.id, action.type === 'connect-client' ? 'connect' : 'disconnect');
        return;
      case 'restart-server':
        await supervisor.restart('restart requested from the tray menu');
        return;
      case 'set-start-at-login':
        await settings.setStartAtLogin(action.enabled);
        return;
      case 'open-logs': {
        const opened = await openLogFile(ctx);
        if (!opened.ok) log(opened.error.message);
        return;
      }
      case 'check-updates':
        await desktop.updates?.check();
        return;
      case 'install-update':
        desktop.updates?.install();
        return;
      case 'quit':
        desktop.quit();
        return;
    }
  }

  async function runAlertAction(action: NotificationAction): Promise<void> {
    switch (action.type) {
      case 'open-window':
        desktop.showWindow(action.target);
        return;
      case 'restart-sandbox':
        await actionsOrFail(session).start(action.sandboxId);
        return;
      case 'restart-mcp':
        await supervisor.restart('restart requested from a notification');
        return;
      case 'top-up':
        await openWebPage(desktop, dashboardUrl(session, 'billing'));
        return;
    }
  }

  /** The clients' entries at start (client-repair.ts): notifications from it act like the alerts'. */
  async function repairEntries(): Promise<void> {
    if (!deps.entries) return;
    const act = (action: NotificationAction) =>
      void runAlertAction(action).catch((error: unknown) => log(`the notification action failed: ${(error as Error).message}`));
    await entriesAtStart({
      ...deps.entries,
      clients: deps.clients,
      desktop: { notify: (spec) => desktop.notify(spec, act), applicationsFolder: desktop.applicationsFolder },
      log,
    });
  }

  return {
    async start() {
      store.set({ firstRun: !(await exists(deps.settings.file)) });
      await store.reloadSettings();
      await settings.syncLoginItem();
      unsubscribe.push(session.onChange(store.publish), supervisor.onChange(store.publish));
      await supervisor.start();
      await session.start();
      void repairEntries()
        .then(() => clients.refresh())
        .catch((error: unknown) => log(`reading the AI clients failed: ${(error as Error).message}`));
      // The CLI may change settings meanwhile (login, logout, setup): pick that up like the supervisor does.
      settingsTimer = setInterval(() => {
        void store
          .reloadSettings()
          .then(() => session.reload())
          .catch((error: unknown) => log(`re-reading settings failed: ${(error as Error).message}`));
      }, SETTINGS_CHECK_MS);
      settingsTimer.unref?.();
      store.publish();
    },
    async stop() {
      if (settingsTimer) clearInterval(settingsTimer);
      deps.alerts?.dispose();
      account.stop();
      for (const off of unsubscribe.splice(0)) off();
      await session.stop();
      await supervisor.stop();
    },
    handlers,
    state: store.state,
    onState: store.onState,
    runTrayAction,
    runAlertAction,
    settings: store.settings,
    windowVisible(visible) {
      session.setVisible(visible);
      if (visible) void clients.refresh().catch(() => {});
    },
    wake: () => session.wake(),
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
