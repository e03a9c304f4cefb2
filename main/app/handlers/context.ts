import type { BridgeLaunch } from '../../core/clients/bridge-launch.ts';
import type { checkApiKey } from '../../core/secrets/check-api-key.ts';
import type { TerminalOpener } from '../../core/terminal/open-terminal.ts';
import type { SecretStore } from '../../core/secrets/secret-store.ts';
import type { AiClient, ClientId } from '../../core/clients/types.ts';
import { ProfileError } from '../../core/profile.ts';
import { DEFAULT_CLOUD_API_URL } from '../../core/settings/settings-schema.ts';
import type { SettingsStore } from '../../core/settings/settings-store.ts';
import type { McpSupervisor } from '../../core/supervisor/mcp-supervisor.ts';
import type { BridgeError, BridgeMethodName, Result } from '../../../preload/contract.ts';
import type { AppStateStore } from '../app-state-store.ts';
import type { DesktopPort } from '../desktop-port.ts';
import type { BridgeHandlers } from '../ipc-registry.ts';
import type { ProfileSession } from '../profile-session.ts';
import type { SandboxActions } from '../sandbox-actions.ts';

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
  /** The app's log file (the window shows its path and opens it). */
  logFile?: { path: string };
  /** Opens sandbox terminals (default: the OS terminal emulator of this machine). */
  terminal?: TerminalOpener;
  /** How this install runs its own CLI, for `daytona-tray shell` in a terminal (default: as this process runs it). */
  cliLaunch?: BridgeLaunch;
  /**
   * The AI clients' entries at start: `prepare` puts in place what a new entry runs (an AppImage's launcher file),
   * then stale entries of ours are repaired (client-repair.ts) unless `cannotRepair` says why this process cannot
   * write lasting ones. Absent: no repair at start.
   */
  entries?: { prepare?(): Promise<unknown>; cannotRepair?: string | undefined };
}

/** What every handler module is given: the services, the snapshot store, the log. */
export interface HandlerContext extends TrayAppDeps {
  store: AppStateStore;
  log(line: string): void;
}

/** A module's part of the contract: the handlers of the methods `K`, typed by the contract itself. */
export type HandlersOf<K extends BridgeMethodName> = Pick<BridgeHandlers, K>;

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: BridgeError['code'], message: string): Result<never> => ({ ok: false, error: { code, message } });

const NO_PROFILE = 'No usable profile is active: add your API key or choose the local provider first.';

/** Why the active profile cannot be used right now, in words that say what to do. */
export function profileProblem(session: ProfileSession): string {
  return session.snapshot().problem ?? NO_PROFILE;
}

/** Sandbox actions on the active profile, or the error that says why there are none. */
export function actionsOrFail(session: ProfileSession): SandboxActions {
  const actions = session.actions();
  if (!actions) throw new ProfileError('no-api-key', profileProblem(session));
  return actions;
}

/** The active cloud profile's API URL; undefined on the local provider or without a usable profile. */
export function cloudApiUrl(session: ProfileSession): string | undefined {
  const profile = session.snapshot().profile;
  return profile?.kind === 'cloud' ? profile.apiUrl : undefined;
}

/** A page of the Daytona dashboard that belongs to the active cloud profile's API (Daytona Cloud by default). */
export function dashboardUrl(session: ProfileSession, page: 'home' | 'keys' | 'billing'): string {
  const origin = new URL(cloudApiUrl(session) ?? DEFAULT_CLOUD_API_URL).origin;
  return `${origin}/dashboard${page === 'keys' ? '/keys' : page === 'billing' ? '/billing/wallet' : ''}`;
}

/** Opens a web page in the user's browser; only http(s): never file:, javascript: or a custom scheme from a server's answer. */
export async function openWebPage(desktop: Pick<DesktopPort, 'openExternal'>, url: string): Promise<void> {
  const protocol = new URL(url).protocol;
  if (protocol !== 'https:' && protocol !== 'http:')
    throw new Error(`Refused to open a ${protocol} address; only http(s) pages are opened`);
  await desktop.openExternal(url);
}
