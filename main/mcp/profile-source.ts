import { profileFromEnv } from '../core/profile.ts';

/** The Daytona account the MCP server acts for: where the API is and the key that opens it. */
export interface DaytonaProfile {
  /** Shown in messages (never the key): 'env', 'cloud', 'local', a settings profile name... */
  name: string;
  apiUrl: string;
  apiKey: string;
  /** Daytona target region; the SDK's default when absent. */
  target?: string;
  /** 'local': the embedded provider this process started for the settings' local profile (default 'cloud'). */
  kind?: 'cloud' | 'local';
}

/**
 * Where the server finds its active profile, asked on every call so a profile switched in the tray takes
 * effect without a restart. `undefined` means none is configured: tools still list, calls say what to do.
 */
export interface ProfileSource {
  active(): Promise<DaytonaProfile | undefined>;
}

/**
 * The environment first (how the tray hands a profile to its child; the rule is core's profileFromEnv, which
 * throws on DAYTONA_API_URL without a key), then `fallback` (the settings + keychain source).
 * The environment is read once: it cannot change under a running process.
 */
export function envProfileSource(
  env: NodeJS.ProcessEnv = process.env,
  fallback?: () => Promise<DaytonaProfile | undefined>,
): ProfileSource {
  const resolved = profileFromEnv(env);
  const fromEnv: DaytonaProfile | undefined = resolved && {
    name: resolved.name,
    apiUrl: resolved.apiUrl,
    apiKey: resolved.apiKey,
    ...(resolved.target ? { target: resolved.target } : {}),
  };
  return {
    async active() {
      if (fromEnv) return fromEnv;
      return fallback ? fallback() : undefined;
    },
  };
}
