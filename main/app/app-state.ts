import type { BillingView as CoreBillingView } from '../core/billing/billing-service.ts';
import { hourlyCostUsd } from '../core/billing/rates.ts';
import type { ResolvedProfile } from '../core/profile.ts';
import { DEFAULT_WARM_POOL_SIZE, isKnownProfile, localWarmPoolSize, type Settings } from '../core/settings/settings-schema.ts';
import type { McpServerStatus } from '../core/supervisor/mcp-supervisor.ts';
import type { WatchedSandbox } from '../core/watcher/watched-sandbox.ts';
import { defaultTransferFolder } from '../mcp/transfer-folder.ts';
import { toServerView, toWatcherView } from './contract-views.ts';
import {
  ISOLATION_LABEL,
  NETWORK_LABEL,
  NOTIFICATION_KINDS,
  TOOL_GROUPS,
  type AccountView,
  type AppState,
  type BillingView,
  type ClientView,
  type DesktopFeature,
  type ProfileView,
  type SandboxView,
  type SettingsView,
} from '../../preload/contract.ts';
import type { SessionSnapshot } from './profile-session.ts';

/** Everything the snapshot is made of, each piece owned by its service. */
export interface AppStateSources {
  version: string;
  platform: string;
  unavailable: DesktopFeature[];
  firstRun: boolean;
  settings: Settings;
  session: SessionSnapshot;
  server: McpServerStatus;
  clients: ClientView[];
  account: AccountView;
}

/**
 * The one snapshot the window and the tray render, built from the services' own states by a pure function.
 * The API key never enters it: only whether one is set, where it comes from, and its last 4 characters.
 */
export function buildAppState(sources: AppStateSources, revision: number): AppState {
  const { session } = sources;
  return {
    revision,
    app: { version: sources.version, platform: sources.platform, unavailable: sources.unavailable },
    firstRun: sources.firstRun,
    profile: profileView(sources.settings, session),
    account: sources.account,
    sandboxes: session.sandboxes.map((sandbox) => sandboxView(sandbox, session.minuteMs)).sort(bySandbox),
    watcher: session.watcher ? toWatcherView(session.watcher) : { state: session.profile ? 'starting' : 'stopped', events: 'off' },
    billing: session.billing
      ? billingView(session.billing)
      : emptyBilling(session.profile?.kind === 'local' || session.waitingForLocalProvider),
    server: serverView(sources.server),
    clients: sources.clients,
    settings: settingsView(sources.settings),
  };
}

function profileView(settings: Settings, session: SessionSnapshot): ProfileView {
  const resolved: ResolvedProfile | undefined = session.profile;
  const name = resolved?.name ?? settings.activeProfile;
  const configured = settings.profiles[name];
  const kind = resolved?.kind ?? (isKnownProfile(configured) ? configured.kind : 'unknown');
  const view: ProfileView = {
    name,
    kind,
    apiKey: resolved?.kind === 'cloud' ? { set: true, suffix: resolved.apiKey.slice(-4), source: resolved.source } : { set: false },
    profiles: Object.entries(settings.profiles).map(([profileName, profile]) => ({
      name: profileName,
      kind: isKnownProfile(profile) ? profile.kind : 'unknown',
      active: profileName === name,
    })),
  };
  if (resolved?.kind === 'cloud') {
    view.apiUrl = resolved.apiUrl;
    if (resolved.target) view.target = resolved.target;
  } else if (isKnownProfile(configured) && configured.kind === 'cloud') {
    view.apiUrl = configured.apiUrl;
    if (configured.target) view.target = configured.target;
  }
  if (session.problem) view.problem = session.problem;
  if (kind === 'local' && session.isolation) view.isolation = session.isolation;
  return view;
}

export function sandboxView(sandbox: WatchedSandbox, minuteMs: number): SandboxView {
  const view: SandboxView = {
    id: sandbox.id,
    name: sandbox.name,
    state: sandbox.state,
    cpu: sandbox.cpu,
    gpu: sandbox.gpu,
    memory: sandbox.memory,
    disk: sandbox.disk,
    labels: sandbox.labels ?? {},
    notIsolated: sandbox.labels?.[ISOLATION_LABEL] === 'none',
    ...(sandbox.labels?.[NETWORK_LABEL] === 'shared' ? { sharedNetwork: true } : {}),
    hourlyUsd: hourlyCostUsd(sandbox),
  };
  for (const key of [
    'desiredState',
    'createdAt',
    'lastActivityAt',
    'autoStopInterval',
    'autoPauseInterval',
    'autoArchiveInterval',
    'autoDeleteInterval',
    'autoDestroyAt',
    'errorReason',
    'target',
  ] as const) {
    if (sandbox[key] !== undefined) (view as unknown as Record<string, unknown>)[key] = sandbox[key];
  }
  // Daytona stops a started sandbox once it has been idle for autoStopInterval minutes (0: never).
  const since = Date.parse(sandbox.lastActivityAt ?? sandbox.updatedAt ?? '');
  if (sandbox.state === 'started' && (sandbox.autoStopInterval ?? 0) > 0 && Number.isFinite(since)) {
    view.autoStopAt = new Date(since + sandbox.autoStopInterval! * minuteMs).toISOString();
  }
  // Auto-pause runs on the same idle clock.
  if (sandbox.state === 'started' && (sandbox.autoPauseInterval ?? 0) > 0 && Number.isFinite(since)) {
    view.autoPauseAt = new Date(since + sandbox.autoPauseInterval! * minuteMs).toISOString();
  }
  return view;
}

/** Running first, then by name: what the user acts on is at the top. */
function bySandbox(a: SandboxView, b: SandboxView): number {
  const rank = (view: SandboxView) => (view.state === 'started' ? 0 : view.state === 'error' || view.state === 'build_failed' ? 1 : 2);
  return rank(a) - rank(b) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

function billingView(view: CoreBillingView): BillingView {
  return view;
}

function emptyBilling(local: boolean): BillingView {
  return {
    mode: local ? 'local' : 'cloud',
    label: local ? 'local — free' : 'Daytona Cloud',
    burn: { perHourUsd: 0, perDayUsd: 0, running: 0, diskOnly: 0, gpuNotPriced: 0, todayUsd: 0, todaySince: new Date(0).toISOString() },
    spend: local ? { state: 'not-applicable' } : { state: 'unavailable', message: 'Not loaded yet.' },
    balance: local ? { state: 'not-applicable' } : { state: 'unavailable', message: 'Not loaded yet.' },
    organizationId: undefined,
    creditsDepleted: false,
    suspensionReason: undefined,
  };
}

function serverView(status: McpServerStatus): AppState['server'] {
  const view = toServerView(
    {
      ...status.server,
      state: status.state,
      ...(status.reason !== undefined ? { reason: status.reason } : {}),
      ...(status.retryAt !== undefined ? { retryAt: status.retryAt } : {}),
    },
    status.port,
  );
  if (status.state !== 'restarting' && status.state !== 'failed') {
    delete view.reason;
    delete view.retryAt;
  }
  if (status.localProvider) {
    const local = status.localProvider;
    view.localProvider = {
      state: local.state,
      ...(local.reason !== undefined && (local.state === 'failed' || local.state === 'restarting') ? { reason: local.reason } : {}),
    };
  }
  return view;
}

export function settingsView(settings: Settings): SettingsView {
  return {
    toolGroups: Object.fromEntries(
      TOOL_GROUPS.map((group) => [group, settings.mcp.toolGroups[group] !== false]),
    ) as SettingsView['toolGroups'],
    notifications: Object.fromEntries(
      NOTIFICATION_KINDS.map((kind) => [kind, settings.notifications[kind] !== false]),
    ) as SettingsView['notifications'],
    lowBalanceThresholdCents: settings.lowBalanceThresholdCents,
    startAtLogin: settings.startAtLogin,
    mcpPort: settings.mcp.port,
    transferFolder: { path: settings.mcp.transferFolder ?? defaultTransferFolder(), chosen: settings.mcp.transferFolder !== undefined },
    sharedGraceMinutes: settings.mcp.sharedGraceMinutes,
    warmPoolSize: localWarmPoolSize(settings) ?? DEFAULT_WARM_POOL_SIZE,
  };
}
