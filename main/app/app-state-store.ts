import type { Settings } from '../core/settings/settings-schema.ts';
import type { SettingsStore } from '../core/settings/settings-store.ts';
import type { McpSupervisor } from '../core/supervisor/mcp-supervisor.ts';
import type { AccountView, AppState, ClientView, DesktopFeature } from '../../preload/contract.ts';
import { buildAppState } from './app-state.ts';
import type { ProfileSession } from './profile-session.ts';

/** The pieces of the snapshot the app itself owns (the services own the rest). */
export interface OwnState {
  firstRun: boolean;
  clients: ClientView[];
  account: AccountView;
}

/**
 * The one AppState snapshot the window and the tray render: rebuilt from the services' states when one of
 * them changes, at most once per tick, and handed to every listener.
 */
export interface AppStateStore {
  /** The settings as last read; throws before the first read. */
  settings(): Settings;
  /** Reads settings.json again (warnings go to the log) and publishes. */
  reloadSettings(): Promise<Settings>;
  own(): Readonly<OwnState>;
  /** Changes the app's own pieces and publishes. */
  set(patch: Partial<OwnState>): void;
  /** Schedules one rebuild for a burst of changes (the watcher can report many in one tick). */
  publish(): void;
  /** The last snapshot, or a new one when there is none yet. */
  state(): AppState;
  /** A new snapshot now (after a change the caller answers with). */
  rebuild(): AppState;
  onState(listener: (state: AppState) => void): () => void;
}

export interface AppStateStoreDeps {
  settings: Pick<SettingsStore, 'load'>;
  session: Pick<ProfileSession, 'snapshot'>;
  supervisor: Pick<McpSupervisor, 'status'>;
  version: string;
  platform: string;
  unavailable: DesktopFeature[];
  log(line: string): void;
}

export function createAppStateStore(deps: AppStateStoreDeps): AppStateStore {
  const listeners = new Set<(state: AppState) => void>();
  const own: OwnState = { firstRun: false, clients: [], account: { state: 'signed-out' } };
  let current: Settings | undefined;
  let revision = 0;
  let snapshot: AppState | undefined;
  let scheduled = false;

  function settings(): Settings {
    if (!current) throw new Error('the tray app has not started');
    return current;
  }

  function rebuild(): AppState {
    revision += 1;
    const sources = {
      version: deps.version,
      platform: deps.platform,
      unavailable: deps.unavailable,
      settings: settings(),
      session: deps.session.snapshot(),
      server: deps.supervisor.status(),
      ...own,
    };
    snapshot = buildAppState(sources, revision);
    return snapshot;
  }

  function publish(): void {
    if (scheduled || !current) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      const state = rebuild();
      for (const listener of listeners) {
        try {
          listener(state);
        } catch (error) {
          deps.log(`a state listener failed: ${(error as Error).message}`);
        }
      }
    });
  }

  return {
    settings,
    async reloadSettings() {
      const { settings: loaded, warnings } = await deps.settings.load();
      for (const warning of warnings) deps.log(warning);
      current = loaded;
      publish();
      return loaded;
    },
    own: () => own,
    set(patch) {
      Object.assign(own, patch);
      publish();
    },
    publish,
    state: () => snapshot ?? rebuild(),
    rebuild,
    onState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
