import { access } from 'node:fs/promises';
import { signInProfile } from '../core/auth/browser-login.ts';
import { SignInRequiredError } from '../core/auth/token-manager.ts';
import type { AiClient, ClientId } from '../core/clients/types.ts';
import { loginWithApiKey, logoutProfile, ProfileError, useLocalProfile } from '../core/profile.ts';
import type { checkApiKey } from '../core/secrets/check-api-key.ts';
import type { SecretStore } from '../core/secrets/secret-store.ts';
import { DEFAULT_CLOUD_API_URL, isKnownProfile, type Settings } from '../core/settings/settings-schema.ts';
import type { SettingsStore } from '../core/settings/settings-store.ts';
import type { McpSupervisor } from '../core/supervisor/mcp-supervisor.ts';
import { toClientChange, toClientView } from '../../preload/contract-schemas.ts';
import { CLIENT_IDS, type AccountView, type AppState, type BridgeError, type ClientView, type ProfileView, type Result } from '../../preload/contract.ts';
import { buildAppState, settingsView } from './app-state.ts';
import { toBridgeError } from './bridge-errors.ts';
import { unavailableFeatures, type DesktopPort } from './desktop-port.ts';
import type { BridgeHandlers } from './ipc-registry.ts';
import type { NotificationAction } from './notification-view.ts';
import type { ProfileSession } from './profile-session.ts';
import type { TrayMenuAction } from './tray-menu.ts';

export interface TrayAppDeps {
  settings: SettingsStore;
  secrets: SecretStore;
  supervisor: McpSupervisor;
  session: ProfileSession;
  clients: Record<ClientId, AiClient>;
  desktop: DesktopPort;
  /** Disposed at stop (pending notifications dropped). */
  alerts?: { dispose(): void };
  /** The API-key check before a key is stored (default: against the real API). */
  checkApiKey?: typeof checkApiKey;
  /** The browser sign-in (default: signInProfile with the desktop's browser). */
  signIn?: (request: { profile: string; apiUrl: string; signal: AbortSignal }) => Promise<unknown>;
  log?(line: string): void;
}

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

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = (code: BridgeError['code'], message: string): Result<never> => ({ ok: false, error: { code, message } });
const NO_PROFILE = 'No usable profile is active: add your API key or choose the local provider first.';
const SETTINGS_CHECK_MS = 30_000;
const NO_LOGIN_ITEM = 'Start at login needs the desktop app: this window runs in the browser (web mode).';

/**
 * The app behind the window and the tray: implements every contract method over the core services, keeps
 * the one AppState snapshot (rebuilt when a service changes, at most once per tick), and runs what the
 * tray menu and notifications ask for. Plain TypeScript: the shell only forwards Electron's events here.
 */
export function createTrayApp(deps: TrayAppDeps): TrayApp {
  const log = deps.log ?? (() => {});
  const { settings: store, session, supervisor, desktop } = deps;
  const unavailable = unavailableFeatures(desktop);
  const listeners = new Set<(state: AppState) => void>();
  let current: Settings | undefined;
  let firstRun = false;
  let clients: ClientView[] = [];
  let account: AccountView = { state: 'signed-out' };
  let signing: AbortController | undefined;
  let revision = 0;
  let snapshot: AppState | undefined;
  let scheduled = false;
  let settingsTimer: ReturnType<typeof setInterval> | undefined;
  let accountFor = '';
  const unsubscribe: (() => void)[] = [];

  function settingsNow(): Settings {
    if (!current) throw new Error('the tray app has not started');
    return current;
  }

  function build(): AppState {
    revision += 1;
    snapshot = buildAppState({ version: desktop.version, platform: desktop.platform, unavailable, firstRun, settings: settingsNow(), session: session.snapshot(), server: supervisor.status(), clients, account }, revision);
    return snapshot;
  }

  /** Rebuilds the snapshot once for a burst of changes (the watcher can report many in one tick). */
  function publish(): void {
    if (scheduled || !current) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      const state = build();
      for (const listener of listeners) {
        try {
          listener(state);
        } catch (error) {
          log(`a state listener failed: ${(error as Error).message}`);
        }
      }
      // A new profile needs its account read again (from the keychain; not on every change).
      const resolved = session.snapshot().profile;
      const key = resolved ? `${resolved.name}|${resolved.kind}` : '';
      if (key !== accountFor) {
        accountFor = key;
        void refreshAccount();
      }
    });
  }

  async function reloadSettings(): Promise<Settings> {
    const { settings, warnings } = await store.load();
    for (const warning of warnings) log(warning);
    current = settings;
    publish();
    return settings;
  }

  async function refreshClients(): Promise<ClientView[]> {
    clients = await Promise.all(
      CLIENT_IDS.map(async (id) => {
        const client = deps.clients[id];
        try {
          return toClientView(await client.status(), client.applyHint);
        } catch (error) {
          const location = client.locate();
          return { id, name: client.name, installed: location.installed, connected: false, entry: 'absent', current: false, configPath: location.configPath, applyHint: client.applyHint, problem: (error as Error).message } satisfies ClientView;
        }
      }),
    );
    publish();
    return clients;
  }

  async function refreshAccount(): Promise<void> {
    if (signing) return;
    const profile = session.snapshot().profile;
    let next: AccountView;
    if (!profile) next = { state: 'signed-out' };
    else if (profile.kind === 'local') next = { state: 'unavailable', reason: 'The local provider has no Daytona account: sign-in and the balance need a cloud profile.' };
    else {
      try {
        const tokens = await session.tokens()?.current();
        next = tokens ? { state: 'signed-in', ...(tokens.organizationId ? { organizationId: tokens.organizationId } : {}), ...(tokens.expiresAt ? { expiresAt: tokens.expiresAt } : {}) } : { state: 'signed-out' };
      } catch (error) {
        next = { state: 'signed-out', ...(error instanceof SignInRequiredError ? { message: error.message } : {}) };
      }
    }
    account = next;
    publish();
  }

  /** After a profile or key change: the session, the server and the snapshot follow. */
  async function profileChanged(): Promise<ProfileView> {
    firstRun = false;
    await reloadSettings();
    await session.reload();
    void supervisor.refresh().catch((error: unknown) => log(`supervisor refresh failed: ${(error as Error).message}`));
    accountFor = '';
    return build().profile;
  }

  function actionsOrFail() {
    const actions = session.actions();
    if (!actions) throw new ProfileError('no-api-key', session.snapshot().problem ?? NO_PROFILE);
    return actions;
  }

  function cloudApiUrl(): string | undefined {
    const profile = session.snapshot().profile;
    return profile?.kind === 'cloud' ? profile.apiUrl : undefined;
  }

  function dashboardUrl(page: 'home' | 'keys' | 'billing'): string {
    const apiUrl = cloudApiUrl() ?? DEFAULT_CLOUD_API_URL;
    const origin = new URL(apiUrl).origin;
    return `${origin}/dashboard${page === 'keys' ? '/keys' : page === 'billing' ? '/billing/wallet' : ''}`;
  }

  async function openUrl(url: string): Promise<void> {
    const protocol = new URL(url).protocol;
    // Only web pages go to the browser: never file:, javascript: or a custom scheme from a server's answer.
    if (protocol !== 'https:' && protocol !== 'http:') throw new Error(`Refused to open a ${protocol} address; only http(s) pages are opened`);
    await deps.desktop.openExternal(url);
  }

  async function changeClient(id: ClientId, action: 'connect' | 'disconnect', options: { force?: boolean; dryRun?: boolean }) {
    const client = deps.clients[id];
    const result = action === 'connect' ? await client.connect(options) : await client.disconnect(options);
    if (!options.dryRun) await refreshClients();
    return toClientChange(result, client.applyHint);
  }

  async function setStartAtLogin(enabled: boolean): Promise<void> {
    if (!desktop.loginItem) throw new Error(NO_LOGIN_ITEM);
    await desktop.loginItem.setEnabled(enabled);
    await store.update((s) => {
      s.startAtLogin = enabled;
    });
    await reloadSettings();
  }

  const handlers: BridgeHandlers = {
    getState: async () => ok(snapshot ?? build()),

    async saveApiKey(request) {
      const { settings } = await store.load();
      const active = settings.profiles[settings.activeProfile];
      const name = request.profile ?? (isKnownProfile(active) && active.kind === 'cloud' ? settings.activeProfile : 'cloud');
      const result = await loginWithApiKey(
        { settings: store, secrets: deps.secrets, ...(deps.checkApiKey ? { check: deps.checkApiKey } : {}) },
        { name, apiKey: request.apiKey, ...(request.apiUrl ? { apiUrl: request.apiUrl } : {}), ...(request.target ? { target: request.target } : {}) },
      );
      if (!result.ok) return fail(result.reason === 'server' ? 'failed' : result.reason, result.message);
      return ok(await profileChanged());
    },

    async removeApiKey(request) {
      await logoutProfile({ settings: store, secrets: deps.secrets }, request.profile);
      return ok(await profileChanged());
    },

    async useLocalProvider() {
      await useLocalProfile(store);
      return ok(await profileChanged());
    },

    async switchProfile({ profile }) {
      const { settings } = await store.load();
      const target = settings.profiles[profile];
      if (!target) return fail('not-found', `There is no profile '${profile}'. Add an API key to create one.`);
      if (!isKnownProfile(target)) return fail('unsupported', `Profile '${profile}' is of kind '${target.kind}', which this version cannot use.`);
      await store.update((s) => {
        s.activeProfile = profile;
      });
      return ok(await profileChanged());
    },

    async updateProfile(request) {
      const { settings } = await store.load();
      const name = request.profile ?? settings.activeProfile;
      const profile = settings.profiles[name];
      if (!profile) return fail('not-found', `There is no profile '${name}'.`);
      if (!isKnownProfile(profile) || profile.kind !== 'cloud') return fail('unsupported', `Profile '${name}' is not a Daytona Cloud profile: it has no API URL or region.`);
      await store.update((s) => {
        const next = { ...s.profiles[name]! } as Record<string, unknown>;
        if (request.apiUrl !== undefined) next.apiUrl = request.apiUrl;
        if (request.target === null) delete next.target;
        else if (request.target !== undefined) next.target = request.target;
        s.profiles[name] = next as Settings['profiles'][string];
      });
      return ok(await profileChanged());
    },

    async openDashboard({ page }) {
      if (session.snapshot().profile?.kind === 'local') return fail('unsupported', 'The local provider has no dashboard: sandboxes are listed here.');
      await openUrl(dashboardUrl(page));
      return ok(undefined);
    },

    async signIn() {
      const apiUrl = cloudApiUrl();
      const profile = session.snapshot().profile;
      if (!apiUrl || !profile) return fail('unsupported', 'Sign-in needs a Daytona Cloud profile: add your API key first.');
      if (signing) return fail('busy', 'A sign-in is already open in your browser: finish or cancel it first.');
      const abort = new AbortController();
      signing = abort;
      account = { state: 'signing-in' };
      publish();
      try {
        const signIn = deps.signIn ?? ((request) => signInProfile({ ...request, secrets: deps.secrets, openBrowser: (url) => openUrl(url), tell: log }));
        await signIn({ profile: profile.name, apiUrl, signal: abort.signal });
      } catch (error) {
        signing = undefined;
        await refreshAccount();
        return { ok: false, error: toBridgeError(error) };
      }
      signing = undefined;
      await refreshAccount();
      void session.refreshBilling();
      return ok(account);
    },

    async cancelSignIn() {
      signing?.abort();
      return ok(undefined);
    },

    async signOut() {
      const tokens = session.tokens();
      if (!tokens) return fail('unsupported', 'Nothing to sign out of: the active profile is not signed in to Daytona.');
      await tokens.signOut();
      await refreshAccount();
      void session.refreshBilling();
      return ok(account);
    },

    async startSandbox({ id }) {
      await actionsOrFail().start(id);
      return ok(undefined);
    },
    async stopSandbox({ id }) {
      await actionsOrFail().stop(id);
      return ok(undefined);
    },
    async deleteSandbox({ id }) {
      await actionsOrFail().remove(id);
      return ok(undefined);
    },
    async openPreview({ id, port }) {
      const url = await actionsOrFail().previewUrl(id, port);
      await openUrl(url);
      return ok({ url });
    },
    async refreshSandboxes() {
      session.wake();
      await session.refreshSandboxes();
      return ok(undefined);
    },
    async copyText({ text }) {
      deps.desktop.copyText(text);
      return ok(undefined);
    },

    async refreshBalance() {
      const view = await session.refreshBilling();
      if (!view) return fail('unsupported', session.snapshot().problem ?? NO_PROFILE);
      publish();
      return ok(view);
    },

    connectClient: async ({ id, force }) => ok(await changeClient(id, 'connect', { ...(force !== undefined ? { force } : {}) })),
    disconnectClient: async ({ id, force }) => ok(await changeClient(id, 'disconnect', { ...(force !== undefined ? { force } : {}) })),
    previewClientSetup: async ({ id, action }) => ok(await changeClient(id, action, { dryRun: true })),
    refreshClients: async () => ok(await refreshClients()),

    async restartServer() {
      await supervisor.restart('restart requested from the window');
      return ok(undefined);
    },
    async readServerLog({ limit }) {
      const lines = supervisor.logs();
      return ok({ lines: lines.slice(-(limit ?? 200)) });
    },

    async updateSettings(patch) {
      const before = settingsNow();
      if (patch.startAtLogin !== undefined && patch.startAtLogin !== before.startAtLogin) {
        if (!desktop.loginItem) return fail('unsupported', NO_LOGIN_ITEM);
        await desktop.loginItem.setEnabled(patch.startAtLogin);
      }
      await store.update((s) => {
        if (patch.toolGroups) Object.assign(s.mcp.toolGroups, patch.toolGroups);
        if (patch.notifications) Object.assign(s.notifications, patch.notifications);
        if (patch.lowBalanceThresholdCents !== undefined) s.lowBalanceThresholdCents = patch.lowBalanceThresholdCents;
        if (patch.startAtLogin !== undefined) s.startAtLogin = patch.startAtLogin;
        if (patch.mcpPort !== undefined) s.mcp.port = patch.mcpPort;
      });
      const after = await reloadSettings();
      // Tool groups and the port are the server's command line: it restarts with them.
      if (patch.toolGroups || patch.mcpPort !== undefined) void supervisor.refresh();
      return ok(settingsView(after));
    },
  };

  async function runTrayAction(action: TrayMenuAction): Promise<void> {
    switch (action.type) {
      case 'open-window':
        desktop.showWindow(action.view ? { view: action.view } : undefined);
        return;
      case 'connect-client':
      case 'disconnect-client':
        await changeClient(action.id, action.type === 'connect-client' ? 'connect' : 'disconnect', {});
        return;
      case 'restart-server':
        await supervisor.restart('restart requested from the tray menu');
        return;
      case 'set-start-at-login':
        await setStartAtLogin(action.enabled);
        return;
      case 'quit':
        deps.desktop.quit();
        return;
    }
  }

  async function runAlertAction(action: NotificationAction): Promise<void> {
    switch (action.type) {
      case 'open-window':
        desktop.showWindow(action.target);
        return;
      case 'restart-sandbox':
        await actionsOrFail().start(action.sandboxId);
        return;
      case 'restart-mcp':
        await supervisor.restart('restart requested from a notification');
        return;
      case 'top-up':
        await openUrl(dashboardUrl('billing'));
        return;
    }
  }

  return {
    async start() {
      firstRun = !(await exists(store.file));
      const settings = await reloadSettings();
      // The OS keeps its own login item: bring it in line with the setting (the user may have moved the app).
      const loginItem = desktop.loginItem;
      if (loginItem && (await loginItem.enabled().catch(() => settings.startAtLogin)) !== settings.startAtLogin) {
        await loginItem.setEnabled(settings.startAtLogin).catch((error: unknown) => log(`start at login: ${(error as Error).message}`));
      }
      unsubscribe.push(session.onChange(publish), supervisor.onChange(publish));
      await supervisor.start();
      await session.start();
      void refreshClients().catch((error: unknown) => log(`reading the AI clients failed: ${(error as Error).message}`));
      // The CLI may change settings meanwhile (login, logout, setup): pick that up like the supervisor does.
      settingsTimer = setInterval(() => {
        void reloadSettings()
          .then(() => session.reload())
          .catch((error: unknown) => log(`re-reading settings failed: ${(error as Error).message}`));
      }, SETTINGS_CHECK_MS);
      settingsTimer.unref?.();
      publish();
    },
    async stop() {
      if (settingsTimer) clearInterval(settingsTimer);
      deps.alerts?.dispose();
      signing?.abort();
      for (const off of unsubscribe.splice(0)) off();
      await session.stop();
      await supervisor.stop();
    },
    handlers,
    state: () => snapshot ?? build(),
    onState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    runTrayAction,
    runAlertAction,
    settings: settingsNow,
    windowVisible(visible) {
      session.setVisible(visible);
      if (visible) void refreshClients().catch(() => {});
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
