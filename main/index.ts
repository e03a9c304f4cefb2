import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_ID } from './app/app-identity.ts';
import { notificationSpec } from './app/notification-view.ts';
import { createProfileSession } from './app/profile-session.ts';
import { createTrayApp } from './app/tray-app.ts';
import { createAlertPolicy } from './core/alerts/alert-policy.ts';
import { alertSettingsFromNotifications } from './core/alerts/alert-types.ts';
import { bridgeLaunchForThisProcess } from './core/clients/bridge-launch.ts';
import { currentHost } from './core/clients/host.ts';
import { createClients } from './core/clients/registry.ts';
import { createKeyringSecretStore } from './core/secrets/keyring-secret-store.ts';
import { createSettingsStore } from './core/settings/settings-store.ts';
import { createMcpSupervisor } from './core/supervisor/mcp-supervisor.ts';
import { loadServerConfig } from './core/supervisor/server-config.ts';
import { runShell } from './shell/run-shell.ts';
import type { SettingsView } from '../preload/contract.ts';

// The composition root of the tray app, and the entry Electron loads (package.json "main"). It only wires:
// every module does nothing on import, and everything below runs once Electron is ready.
const here = fileURLToPath(new URL('.', import.meta.url)); // out/main/ (inside app.asar when packaged)
const root = join(here, '..', '..');
const log = (line: string) => process.stderr.write(`[daytona-tray] ${line}\n`);

runShell({
  appId: APP_ID,
  rendererDir: join(here, '..', 'renderer'),
  preload: join(here, '..', 'preload', 'index.cjs'),
  iconsDir: join(root, 'resources', 'tray'),
  appIcon: join(root, 'resources', 'icon.png'),
  log,
  async startApp(desktop) {
    // The built CLI: the MCP server, the local provider and the AI clients' stdio bridge are all
    // `<this executable> cli.js <command>` in node mode (ELECTRON_RUN_AS_NODE=1; the RunAsNode fuse stays on).
    const cliScript = join(here, 'cli.js');

    // 1. Settings and secrets (the OS keychain; never a file).
    const settings = createSettingsStore();
    const secrets = createKeyringSecretStore();

    // 2. The supervisor: the MCP server, and the local provider when the local profile is active.
    const supervisor = createMcpSupervisor({ loadConfig: () => loadServerConfig({ settings, secrets }), cliScript });

    // 3. Alerts -> notifications. The policy reads the switches on every decision, so a change applies at once.
    let switches: SettingsView | undefined;
    const alerts = createAlertPolicy({
      notifier: { notify: (alert) => desktop.notify(notificationSpec(alert, desktop.platform)) },
      settings: () => (switches ? alertSettingsFromNotifications(switches.notifications, switches.lowBalanceThresholdCents) : {}),
      minuteMs: () => session.snapshot().minuteMs,
    });
    supervisor.onChange((status) => alerts.onMcpStatus(status.state !== 'failed' && status.state !== 'restarting'));

    // 4. The watcher, billing and sign-in of the active profile, feeding the alert policy.
    const session = createProfileSession({ settings, secrets, supervisor, alerts, log });

    // 5. The AI clients, wired to this executable's bridge.
    const clients = createClients({ host: currentHost(), launch: bridgeLaunchForThisProcess(cliScript) });

    // 6. The app behind the window (IPC handlers) and the tray; the shell registers and renders it.
    const started = createTrayApp({ settings, secrets, supervisor, session, clients, alerts, loginItem: desktop.loginItem, desktop, version: desktop.version, platform: desktop.platform, log });
    started.onState((state) => {
      switches = state.settings;
    });
    await started.start();
    return started;
  },
});
