import { ProfileError, resolveProfile, type ResolvedProfile } from '../profile.ts';
import { SecretStoreError, type SecretStore } from '../secrets/secret-store.ts';
import { TOOL_GROUPS, type ToolGroup } from '../settings/settings-schema.ts';
import type { SettingsStore } from '../settings/settings-store.ts';

/** What the MCP server is started with; the supervisor restarts it when any of this changes. */
export interface ServerConfig {
  /** The active profile, or undefined when it cannot be used (see `profileProblem`). */
  profile: ResolvedProfile | undefined;
  /**
   * Why the active profile cannot be used (no key stored, keychain locked...), in words that say what to do.
   * The server still starts: its tools list, and each call repeats this advice.
   */
  profileProblem?: string;
  /** Port on 127.0.0.1; 0 lets the supervisor pick one and keep it across restarts. */
  port: number;
  /** Tool groups switched off in the settings. */
  disabledGroups: ToolGroup[];
}

export interface LoadServerConfigDeps {
  settings: Pick<SettingsStore, 'load'>;
  secrets: SecretStore;
  /** DAYTONA_API_URL + DAYTONA_API_KEY here win over the settings (see resolveProfile). */
  env?: NodeJS.ProcessEnv;
}

/** Reads settings and the keychain; only an unreadable settings file throws. */
export async function loadServerConfig(deps: LoadServerConfigDeps): Promise<ServerConfig> {
  const { settings } = await deps.settings.load();
  const base = {
    port: settings.mcp.port,
    disabledGroups: TOOL_GROUPS.filter((group) => settings.mcp.toolGroups[group] === false),
  };
  try {
    return {
      ...base,
      profile: await resolveProfile({ settings: deps.settings, secrets: deps.secrets, ...(deps.env ? { env: deps.env } : {}) }),
    };
  } catch (error) {
    if (error instanceof ProfileError || error instanceof SecretStoreError)
      return { ...base, profile: undefined, profileProblem: error.message };
    throw error;
  }
}

/** Equal configs need no restart. Compares the key itself (in memory only; it is never written anywhere). */
export function sameServerConfig(a: ServerConfig | undefined, b: ServerConfig): boolean {
  if (!a) return false;
  return JSON.stringify(comparable(a)) === JSON.stringify(comparable(b));
}

function comparable(config: ServerConfig): unknown[] {
  const p = config.profile;
  const profile = !p ? null : p.kind === 'local' ? [p.name, 'local'] : [p.name, 'cloud', p.apiUrl, p.target ?? null, p.apiKey];
  return [profile, config.port, [...config.disabledGroups].sort()];
}
