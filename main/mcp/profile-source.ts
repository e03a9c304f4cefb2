import { z } from 'zod';

/** The Daytona account the MCP server acts for: where the API is and the key that opens it. */
export interface DaytonaProfile {
  /** Shown in messages (never the key): 'env', 'cloud', 'local', a settings profile name... */
  name: string;
  apiUrl: string;
  apiKey: string;
  /** Daytona target region; the SDK's default when absent. */
  target?: string;
}

/**
 * Where the server finds its active profile, asked on every call so a profile switched in the tray takes
 * effect without a restart. `undefined` means none is configured: tools still list, calls say what to do.
 */
export interface ProfileSource {
  active(): Promise<DaytonaProfile | undefined>;
}

export const DEFAULT_API_URL = 'https://app.daytona.io/api';

const envSchema = z.object({
  DAYTONA_API_KEY: z.string().trim().min(1).optional(),
  DAYTONA_API_URL: z.url({ protocol: /^https?$/, error: 'DAYTONA_API_URL must be an http(s) URL such as https://app.daytona.io/api' }).optional(),
  DAYTONA_TARGET: z.string().trim().min(1).optional(),
});

/** Reads the profile the tray (or a user) put in the environment; throws on a malformed URL so it is fixed, not ignored. */
export function profileFromEnv(env: NodeJS.ProcessEnv): DaytonaProfile | undefined {
  const blankToUndefined = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
  const parsed = envSchema.safeParse({
    DAYTONA_API_KEY: blankToUndefined(env.DAYTONA_API_KEY),
    DAYTONA_API_URL: blankToUndefined(env.DAYTONA_API_URL),
    DAYTONA_TARGET: blankToUndefined(env.DAYTONA_TARGET),
  });
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => issue.message).join('; '));
  const { DAYTONA_API_KEY: apiKey, DAYTONA_API_URL: apiUrl, DAYTONA_TARGET: target } = parsed.data;
  if (!apiKey) return undefined;
  return { name: 'env', apiUrl: (apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, ''), apiKey, ...(target ? { target } : {}) };
}

/**
 * Environment first (`DAYTONA_API_KEY`, optional `DAYTONA_API_URL`/`DAYTONA_TARGET`: how the tray hands a
 * profile to its child), then `fallback` (the settings + keychain source, once main/core provides one).
 * The environment is read once: it cannot change under a running process.
 */
export function envProfileSource(env: NodeJS.ProcessEnv = process.env, fallback?: () => Promise<DaytonaProfile | undefined>): ProfileSource {
  const fromEnv = profileFromEnv(env);
  return {
    async active() {
      if (fromEnv) return fromEnv;
      return fallback ? fallback() : undefined;
    },
  };
}
