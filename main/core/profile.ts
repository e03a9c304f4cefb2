import { readApiKey } from './secrets/profile-secrets.ts';
import type { SecretStore } from './secrets/secret-store.ts';
import { DEFAULT_CLOUD_API_URL, isKnownProfile, LOCAL_PROFILE } from './settings/settings-schema.ts';
import type { SettingsStore } from './settings/settings-store.ts';

/** A profile ready to use: a cloud profile with its API key, or the local provider (started by the supervisor). */
export type ResolvedProfile =
  | { name: string; kind: 'cloud'; apiUrl: string; target?: string; apiKey: string; source: 'keychain' | 'env' }
  | { name: string; kind: 'local' };

export type ProfileErrorCode = 'unknown-profile' | 'unsupported-kind' | 'no-api-key';

export class ProfileError extends Error {
  readonly code: ProfileErrorCode;
  constructor(code: ProfileErrorCode, message: string) {
    super(message);
    this.name = 'ProfileError';
    this.code = code;
  }
}

export interface ResolveProfileDeps {
  settings: Pick<SettingsStore, 'load'>;
  secrets: SecretStore;
  /**
   * When given and it holds both DAYTONA_API_URL and DAYTONA_API_KEY, those win (the same rule as Daytona's
   * own CLI): this is how the supervisor hands the key to the MCP server child, and how headless machines
   * without a keychain can run it.
   */
  env?: NodeJS.ProcessEnv;
}

/**
 * Resolves `name` (default: the active profile) to what a Daytona client needs. Throws ProfileError with
 * the command that fixes it, or the keychain's SecretStoreError (already worded for the user).
 */
export async function resolveProfile(deps: ResolveProfileDeps, name?: string): Promise<ResolvedProfile> {
  if (name === undefined && deps.env) {
    const fromEnv = profileFromEnv(deps.env);
    if (fromEnv) return fromEnv;
  }
  const { settings } = await deps.settings.load();
  const profileName = name ?? settings.activeProfile;
  const profile = settings.profiles[profileName];
  if (!profile) {
    const known = Object.keys(settings.profiles).join(', ');
    throw new ProfileError('unknown-profile', `There is no profile '${profileName}' (profiles: ${known}). Create it with 'daytona-tray login --profile ${profileName}'.`);
  }
  if (!isKnownProfile(profile)) {
    throw new ProfileError('unsupported-kind', `Profile '${profileName}' is of kind '${profile.kind}', which this version of Daytona Tray cannot use. Update Daytona Tray, or pick another profile.`);
  }
  if (profile.kind === 'local') return { name: profileName, kind: 'local' };
  const apiKey = await readApiKey(deps.secrets, profileName);
  if (!apiKey) {
    throw new ProfileError(
      'no-api-key',
      `No API key is stored for profile '${profileName}'. Run 'daytona-tray login --profile ${profileName}' (it reads the key from stdin or a hidden prompt), ` +
        `or use the local provider: 'daytona-tray login --profile ${LOCAL_PROFILE}'.`,
    );
  }
  return { name: profileName, kind: 'cloud', apiUrl: profile.apiUrl, ...(profile.target ? { target: profile.target } : {}), apiKey, source: 'keychain' };
}

/** The environment that hands a cloud profile to a child (the variables the Daytona SDK reads too). */
export function profileEnv(profile: Extract<ResolvedProfile, { kind: 'cloud' }>): Record<string, string> {
  return {
    DAYTONA_API_URL: profile.apiUrl,
    DAYTONA_API_KEY: profile.apiKey,
    ...(profile.target ? { DAYTONA_TARGET: profile.target } : {}),
  };
}

/** The cloud profile described by DAYTONA_API_URL + DAYTONA_API_KEY (+ DAYTONA_TARGET), if both are set. */
export function profileFromEnv(env: NodeJS.ProcessEnv): Extract<ResolvedProfile, { kind: 'cloud' }> | undefined {
  const apiKey = env.DAYTONA_API_KEY?.trim();
  const apiUrl = env.DAYTONA_API_URL?.trim();
  if (!apiKey || !apiUrl) return undefined;
  return { name: 'env', kind: 'cloud', apiUrl: apiUrl.replace(/\/+$/, '') || DEFAULT_CLOUD_API_URL, ...(env.DAYTONA_TARGET ? { target: env.DAYTONA_TARGET } : {}), apiKey, source: 'env' };
}
