import { createAlertPolicy, type AlertPolicy, type AlertPolicyOptions } from '../core/alerts/alert-policy.ts';
import { alertSettingsFromNotifications } from '../core/alerts/alert-types.ts';
import { appDataDir } from '../core/app-paths.ts';
import { bridgeLaunchForThisProcess, type BridgeLaunch } from '../core/clients/bridge-launch.ts';
import { bridgeLauncherPath, installBridgeLauncher } from '../core/clients/bridge-launcher.ts';
import { launchStaleness } from '../core/clients/stale-launch.ts';
import { currentHost, type Host } from '../core/clients/host.ts';
import { createClients, type ClientRegistryDeps } from '../core/clients/registry.ts';
import type { AiClient, ClientId } from '../core/clients/types.ts';
import { createLogFile, type LogFile } from '../core/logs/log-file.ts';
import { createKeyringSecretStore } from '../core/secrets/keyring-secret-store.ts';
import type { SecretStore } from '../core/secrets/secret-store.ts';
import { createSettingsStore, type SettingsStore } from '../core/settings/settings-store.ts';
import { createLogBuffer } from '../core/supervisor/log-buffer.ts';
import { createMcpSupervisor, type McpSupervisor, type McpSupervisorOptions } from '../core/supervisor/mcp-supervisor.ts';
import { loadServerConfig } from '../core/supervisor/server-config.ts';
import type { FetchLike } from '../core/http/request-json.ts';
import type { SettingsView } from '../../preload/contract.ts';
import type { DesktopPort } from './desktop-port.ts';
import { notificationSpec } from './notification-view.ts';
import { createProfileSession, type ProfileSession } from './profile-session.ts';
import { createTrayApp, type TrayApp, type TrayAppDeps } from './tray-app.ts';

/** The parts the app is built from. Only `desktop` and `cliScript` are required; the rest default to the real ones. */
export interface AppParts {
  /** The shell the app runs in: Electron (main/shell), the web shell, or a test's double. */
  desktop: DesktopPort;
  /** The built CLI (out/main/cli.js): the MCP server, the local provider and the clients' bridge run it. */
  cliScript: string;
  /** Default: settings.json in the data dir. */
  settings?: SettingsStore;
  /** Default: the OS keychain (never a file). */
  secrets?: SecretStore;
  /**
   * Where a profile's credentials may come from besides settings and keychain (DAYTONA_API_URL + DAYTONA_API_KEY
   * win, as for the MCP server). Default process.env; tests pass {}.
   */
  env?: NodeJS.ProcessEnv;
  /** Supervisor options (the children's env, timings) beyond what is given here. */
  supervisor?: Omit<McpSupervisorOptions, 'loadConfig' | 'cliScript'>;
  /**
   * The AI clients: the machine they are found on (default this one), how they start our bridge (default: as this
   * process runs, through the data folder's launcher under an AppImage), and what happens to their entries at start
   * (default: the launcher put in place, stale entries of ours repaired).
   */
  clients?: { host?: Host; launch?: BridgeLaunch; run?: ClientRegistryDeps['run']; entries?: TrayAppDeps['entries'] };
  /** Alert timing (coalescing, rate limits, how long the server must be down) beyond the defaults. */
  alerts?: Pick<AlertPolicyOptions, 'coalesceMs' | 'minGapMs' | 'maxPerWindow' | 'windowMs' | 'mcpDownAfterMs' | 'now' | 'timers'>;
  /** The sign-in provider's token calls of the session (default: global fetch). */
  fetch?: FetchLike;
  checkApiKey?: TrayAppDeps['checkApiKey'];
  /** Opens sandbox terminals (default: the OS terminal emulator). */
  terminal?: TrayAppDeps['terminal'];
  signIn?: TrayAppDeps['signIn'];
  /** The shell's own log (stderr). Every line also goes to the log file. */
  log?(line: string): void;
  /** Default: `logs/daytona-tray.log` in the data folder (the app's and its children's lines, redacted). */
  logFile?: LogFile;
}

/** The app and the services it is made of (the shells need only `app`; tests look at the rest). */
export interface BuiltApp {
  app: TrayApp;
  settings: SettingsStore;
  secrets: SecretStore;
  supervisor: McpSupervisor;
  alerts: AlertPolicy;
  session: ProfileSession;
  clients: Record<ClientId, AiClient>;
  logFile: LogFile;
}

/**
 * Builds the whole app from its parts, started by the caller (`await built.app.start()`): the one wiring
 * that the Electron entry (main/index.ts), the web shell and the tests share. Nothing runs until start.
 */
export function buildApp(parts: AppParts): BuiltApp {
  const { desktop } = parts;
  const env = parts.env ?? process.env;
  // 0. The log file: a packaged app has no visible stderr. The app's lines and its children's go through one
  //    log (secrets replaced there), which the window shows and the file keeps.
  const logFile = parts.logFile ?? createLogFile({ onError: (error) => parts.log?.(`cannot write the log file: ${error.message}`) });
  const logBuffer = parts.supervisor?.log ?? createLogBuffer({ sink: logFile.write });
  const log = (line: string) => {
    parts.log?.(line);
    logBuffer.append('app', line);
  };

  // 1. Settings and secrets (the OS keychain; never a file).
  const settings = parts.settings ?? createSettingsStore();
  const secrets = parts.secrets ?? createKeyringSecretStore();

  // 2. The supervisor: the MCP server, and the local provider when the local profile is active.
  const supervisor = createMcpSupervisor({
    ...parts.supervisor,
    log: logBuffer,
    loadConfig: () => loadServerConfig({ settings, secrets, env }),
    cliScript: parts.cliScript,
  });

  // 3. Alerts -> notifications, whose click or button the app runs. The policy reads the switches on every
  //    decision, so a switch flipped in the window applies at once.
  let switches: SettingsView | undefined;
  const holder: { app?: TrayApp; session?: ProfileSession } = {};
  const act = (action: Parameters<TrayApp['runAlertAction']>[0]) => {
    void holder.app
      ?.runAlertAction(action)
      .catch((error: unknown) => log(`the notification action ${action.type} failed: ${(error as Error).message}`));
  };
  const alerts = createAlertPolicy({
    ...parts.alerts,
    notifier: { notify: (alert) => desktop.notify(notificationSpec(alert, desktop.platform, desktop.notificationButtons), act) },
    settings: () => (switches ? alertSettingsFromNotifications(switches.notifications, switches.lowBalanceThresholdCents) : {}),
    minuteMs: () => holder.session?.snapshot().minuteMs ?? 60_000,
  });
  // Down means not serving: a server that keeps failing to start passes through `starting` between its
  // attempts, which must not reset the wait (only `running`, or a stop we asked for, does).
  supervisor.onChange((status) => alerts.onMcpStatus(status.state === 'running' || status.state === 'stopped'));

  // 4. The watcher, billing and sign-in of the active profile, feeding the alert policy.
  const session = createProfileSession({ settings, secrets, supervisor, alerts, env, log, ...(parts.fetch ? { fetch: parts.fetch } : {}) });
  holder.session = session;

  // 5. The AI clients, wired to this executable's bridge.
  const launcher = bridgeLauncherPath(appDataDir());
  const launch = parts.clients?.launch ?? bridgeLaunchForThisProcess(parts.cliScript, process.env, { launcher });
  const entries = parts.clients?.entries ?? {
    ...(launch.args[0] === launcher ? { prepare: () => installBridgeLauncher(launcher) } : {}),
    cannotRepair: cannotWriteLastingEntries(launch),
  };
  const clients = createClients({
    host: parts.clients?.host ?? currentHost(),
    launch,
    ...(parts.clients?.run ? { run: parts.clients.run } : {}),
  });

  // 6. The app behind the window (the contract's handlers), the tray menu and the notifications.
  const app = createTrayApp({
    settings,
    secrets,
    supervisor,
    session,
    clients,
    alerts,
    desktop,
    log,
    logFile,
    cliLaunch: launch,
    entries,
    ...(parts.terminal ? { terminal: parts.terminal } : {}),
    ...(parts.checkApiKey ? { checkApiKey: parts.checkApiKey } : {}),
    ...(parts.signIn ? { signIn: parts.signIn } : {}),
  });
  holder.app = app;
  app.onState((state) => {
    switches = state.settings;
  });
  return { app, settings, secrets, supervisor, alerts, session, clients, logFile };
}

/**
 * Why this process cannot write client entries that outlive it, or undefined when it can: it runs from a temporary
 * copy of the app (macOS App Translocation, or an AppImage mount it could not name the AppImage of).
 */
export function cannotWriteLastingEntries(launch: BridgeLaunch): string | undefined {
  const reason = launchStaleness(launch.command, launch.args[0], () => true);
  if (reason === 'translocated')
    return 'Daytona Tray runs from a temporary copy macOS made of it (App Translocation): move it to the Applications folder and start it from there.';
  if (reason === 'appimage-mount')
    return 'Daytona Tray runs inside an AppImage mount but $APPIMAGE does not name the AppImage: start it from its .AppImage file.';
  return undefined;
}
