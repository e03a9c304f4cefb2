import type { AlertPolicy } from '../core/alerts/alert-policy.ts';
import { fetchDaytonaConfig } from '../core/daytona-config.ts';
import { createTokenManager, keychainTokenStore, type TokenManager } from '../core/auth/token-manager.ts';
import { createBillingService, type BillingService, type BillingView } from '../core/billing/billing-service.ts';
import { ProfileError, resolveProfile, type ResolvedProfile } from '../core/profile.ts';
import { SecretStoreError, type SecretStore } from '../core/secrets/secret-store.ts';
import type { SettingsStore } from '../core/settings/settings-store.ts';
import type { McpSupervisor } from '../core/supervisor/mcp-supervisor.ts';
import { createDaytonaApi, type DaytonaApi } from '../core/daytona-api/daytona-api.ts';
import type { FetchLike } from '../core/http/request-json.ts';
import { createSandboxWatcher, type SandboxWatcher, type WatcherStatus } from '../core/watcher/sandbox-watcher.ts';
import type { WatchedSandbox } from '../core/watcher/watched-sandbox.ts';
import { createDesktopFrames, type DesktopFrames } from './desktop-frames.ts';
import { createSandboxActions, type SandboxActions } from './sandbox-actions.ts';

/** What the session knows right now, for the app state. */
export interface SessionSnapshot {
  /** The active profile, resolved; undefined while it cannot be used (see `problem`). */
  profile: ResolvedProfile | undefined;
  /** Why the active profile cannot be used, in words that say what to do. */
  problem: string | undefined;
  /** Local profile: waiting for the supervised provider to be ready. */
  waitingForLocalProvider: boolean;
  sandboxes: WatchedSandbox[];
  watcher: WatcherStatus | undefined;
  billing: BillingView | undefined;
  /** Real ms per Daytona minute: 60,000 except on a local provider with scaled minutes (tests). */
  minuteMs: number;
  /** Local profile: whether the provider isolates sandboxes with bubblewrap. */
  isolation: 'bubblewrap' | 'none' | undefined;
}

export interface ProfileSessionDeps {
  settings: SettingsStore;
  secrets: SecretStore;
  supervisor: Pick<McpSupervisor, 'localEndpoint' | 'onChange'>;
  alerts: Pick<AlertPolicy, 'onChanges' | 'onBalance' | 'onCreditsDepleted'>;
  /** DAYTONA_API_URL + DAYTONA_API_KEY here win over the settings, as for the MCP server. */
  env?: NodeJS.ProcessEnv;
  /** The sign-in provider's token calls (default: global fetch); Daytona's own go through main/core/daytona-api. */
  fetch?: FetchLike;
  log?(line: string): void;
}

export interface ProfileSession {
  /** Resolves the active profile and starts watching it. */
  start(): Promise<void>;
  /** After a profile, key or sign-in change: resolve again, and start over when anything differs. */
  reload(): Promise<void>;
  stop(): Promise<void>;
  snapshot(): SessionSnapshot;
  onChange(listener: () => void): () => void;
  /** The window is shown or hidden: poll faster while someone looks. */
  setVisible(visible: boolean): void;
  /** After sleep or a network change. */
  wake(): void;
  refreshSandboxes(): Promise<void>;
  refreshBilling(): Promise<BillingView | undefined>;
  /** Sandbox actions on the active profile; undefined while it cannot be used. */
  actions(): SandboxActions | undefined;
  /** Pictures of the active profile's sandboxes' desktops; undefined while it cannot be used. */
  desktopFrames(): DesktopFrames | undefined;
  /** The cloud profile's sign-in tokens; undefined for the local provider or an unusable profile. */
  tokens(): TokenManager | undefined;
}

interface Endpoint {
  apiUrl: string;
  token: string;
}

interface Attached {
  key: string;
  api: DaytonaApi;
  watcher: SandboxWatcher;
  billing: BillingService;
  actions: SandboxActions;
  frames: DesktopFrames;
  tokens: TokenManager | undefined;
  unsubscribe: (() => void)[];
}

/**
 * Follows the active profile: one sandbox watcher and one billing service for it at a time, started over
 * when the profile, its key or (local) the provider's address changes. Watcher changes and balance readings
 * go to the alert policy. For the local profile it waits for the supervisor's local provider and uses the
 * address and key the supervisor gave it (never written anywhere).
 */
export function createProfileSession(deps: ProfileSessionDeps): ProfileSession {
  const log = deps.log ?? (() => {});
  const call = deps.fetch ? { fetch: deps.fetch } : {};
  const listeners = new Set<() => void>();
  let profile: ResolvedProfile | undefined;
  let problem: string | undefined;
  let attached: Attached | undefined;
  let minuteMs = 60_000;
  let isolation: SessionSnapshot['isolation'];
  let visible = false;
  let running = false;
  let stopSupervisorWatch: (() => void) | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const emit = () => {
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        log(`a session listener failed: ${(error as Error).message}`);
      }
    }
  };

  function serialized(task: () => Promise<void>): Promise<void> {
    const run = queue.then(task, task);
    queue = run.catch((error: unknown) => log(`profile session: ${(error as Error).message}`));
    return run;
  }

  function endpointOf(current: ResolvedProfile | undefined): Endpoint | undefined {
    if (!current) return undefined;
    if (current.kind === 'cloud') return { apiUrl: current.apiUrl, token: current.apiKey };
    const local = deps.supervisor.localEndpoint();
    return local ? { apiUrl: local.apiUrl, token: local.apiKey } : undefined;
  }

  async function detach(): Promise<void> {
    const old = attached;
    attached = undefined;
    if (!old) return;
    for (const off of old.unsubscribe) off();
    old.billing.stop();
    await Promise.all([old.watcher.stop(), old.frames.close()]);
    old.api.close();
  }

  /** Starts watching `endpoint` for the current profile, unless that is what is watched already. */
  async function attach(endpoint: Endpoint | undefined): Promise<void> {
    const key = endpoint && profile ? JSON.stringify([profile.name, profile.kind, endpoint.apiUrl, endpoint.token]) : '';
    if (attached?.key === key && key !== '') return;
    await detach();
    if (!endpoint || !profile) {
      emit();
      return;
    }
    const local = profile.kind === 'local';
    // The local provider may run on scaled minutes (tests); alerts and countdowns follow its clock.
    minuteMs = 60_000;
    isolation = undefined;
    // One Daytona client per attached profile: the watcher, billing and the sandbox buttons share it.
    const credentials = () => ({ token: endpoint.token });
    const api = createDaytonaApi({ apiUrl: endpoint.apiUrl, credentials });
    try {
      const config = await fetchDaytonaConfig(api);
      minuteMs = config.localProvider?.minuteMs ?? 60_000;
      const reported = (config.localProvider as { isolation?: unknown } | undefined)?.isolation;
      isolation = reported === 'bubblewrap' || reported === 'none' ? reported : undefined;
    } catch (error) {
      log(`could not read ${endpoint.apiUrl}/config: ${(error as Error).message}`);
    }
    const { settings } = await deps.settings.load();
    const tokens = local ? undefined : createTokenManager({ store: keychainTokenStore(deps.secrets, profile.name), log, ...call });
    const watcher = createSandboxWatcher({
      apiUrl: endpoint.apiUrl,
      credentials,
      api,
      pollMs: { visible: settings.polling.sandboxesMs, hidden: settings.polling.sandboxesHiddenMs },
      visible,
      log,
    });
    const billing = createBillingService({
      apiUrl: endpoint.apiUrl,
      local,
      ...(local ? {} : { apiKey: endpoint.token }),
      ...(tokens ? { session: () => tokens.session() } : {}),
      sandboxes: () => watcher.sandboxes().values(),
      refreshMs: settings.polling.balanceMs,
      log,
      api,
    });
    const actions = createSandboxActions({
      api,
      noteRequested: (id, action) => watcher.noteRequested(id, action),
      afterChange: () => void watcher.refresh().catch(() => {}),
    });
    const unsubscribe = [
      watcher.onChanges((changes) => {
        deps.alerts.onChanges(changes);
        billing.sandboxesChanged();
        emit();
      }),
      watcher.onStatus(() => emit()),
      billing.onUpdate((view) => {
        if (view.balance.state === 'ok') deps.alerts.onBalance({ balanceCents: view.balance.cents, hoursLeft: view.balance.hoursLeft });
        deps.alerts.onCreditsDepleted(view.creditsDepleted, view.suspensionReason);
        emit();
      }),
    ];
    // The SDK client behind the desktop pictures is made on the first picture asked for.
    const frames = createDesktopFrames(endpoint);
    attached = { key, api, watcher, billing, actions, frames, tokens, unsubscribe };
    watcher.start();
    billing.start();
    emit();
  }

  async function resolve(): Promise<void> {
    try {
      profile = await resolveProfile({ settings: deps.settings, secrets: deps.secrets, ...(deps.env ? { env: deps.env } : {}) });
      problem = undefined;
    } catch (error) {
      if (!(error instanceof ProfileError || error instanceof SecretStoreError)) throw error;
      profile = undefined;
      problem = error.message;
    }
    await attach(endpointOf(profile));
  }

  return {
    start: () =>
      serialized(async () => {
        if (running) return;
        running = true;
        // The local provider comes and goes with the supervisor (restart, new port): follow it.
        stopSupervisorWatch = deps.supervisor.onChange(() => {
          if (profile?.kind !== 'local') return;
          const endpoint = endpointOf(profile);
          const key = endpoint ? JSON.stringify([profile.name, profile.kind, endpoint.apiUrl, endpoint.token]) : '';
          if (key !== (attached?.key ?? '')) void serialized(() => (running ? attach(endpoint) : Promise.resolve()));
        });
        await resolve();
      }),
    reload: () => serialized(async () => (running ? resolve() : undefined)),
    stop: () =>
      serialized(async () => {
        running = false;
        stopSupervisorWatch?.();
        stopSupervisorWatch = undefined;
        await detach();
      }),
    snapshot: () => ({
      profile,
      problem,
      waitingForLocalProvider: profile?.kind === 'local' && !attached,
      sandboxes: attached ? [...attached.watcher.sandboxes().values()] : [],
      watcher: attached?.watcher.status(),
      billing: attached?.billing.view(),
      minuteMs,
      isolation,
    }),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setVisible(next) {
      visible = next;
      attached?.watcher.setVisible(next);
    },
    wake: () => attached?.watcher.wake(),
    refreshSandboxes: async () => {
      if (attached) await attached.watcher.refresh();
    },
    refreshBilling: async () => (attached ? attached.billing.refresh() : undefined),
    actions: () => attached?.actions,
    desktopFrames: () => attached?.frames,
    tokens: () => attached?.tokens,
  };
}
