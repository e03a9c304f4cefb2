import { checkApiKey, type ApiKeyCheck } from './secrets/check-api-key.ts';
import { deleteProfileSecrets, readApiKey, writeApiKey } from './secrets/profile-secrets.ts';
import type { SecretStore } from './secrets/secret-store.ts';
import { apiUrlSchema, DEFAULT_CLOUD_API_URL, isKnownProfile, LOCAL_PROFILE, type CloudProfile } from './settings/settings-schema.ts';
import type { SettingsStore } from './settings/settings-store.ts';
import { CodedError } from './app-error.ts';

/** A profile ready to use: a cloud profile with its API key, or the local provider (started by the supervisor). */
export type ResolvedProfile =
  | { name: string; kind: 'cloud'; apiUrl: string; target?: string; apiKey: string; source: 'keychain' | 'env' }
  | { name: string; kind: 'local' };

export type ProfileErrorCode = 'unknown-profile' | 'unsupported-kind' | 'no-api-key' | 'not-saved' | 'bad-env';

export class ProfileError extends CodedError<ProfileErrorCode> {}

export interface ResolveProfileDeps {
  settings: Pick<SettingsStore, 'load'>;
  secrets: SecretStore;
  /**
   * When given and it holds DAYTONA_API_KEY, the environment wins (see profileFromEnv): this is how the
   * supervisor hands the key to the MCP server child, and how headless machines without a keychain run it.
   */
  env?: NodeJS.ProcessEnv;
}

/**
 * The one rule for which Daytona account every command, the MCP server (stdio, --http, the bridge's
 * fallback) and the tray act for, when no profile is named:
 *   1. DAYTONA_API_KEY in the environment (with DAYTONA_API_URL, default the cloud, and DAYTONA_TARGET);
 *      DAYTONA_API_URL alone is refused with what to change (see profileFromEnv);
 *   2. else the settings' active profile; with no settings file that is `local`, the embedded local provider,
 *      which needs no account.
 * `name` picks a profile from the settings instead (the environment is then not consulted).
 * Throws ProfileError with the command that fixes it, or the keychain's SecretStoreError (already worded).
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
    throw new ProfileError(
      'unknown-profile',
      `There is no profile '${profileName}' (profiles: ${known}). Create it with 'daytona-tray login --profile ${profileName}'.`,
    );
  }
  if (!isKnownProfile(profile)) {
    throw new ProfileError(
      'unsupported-kind',
      `Profile '${profileName}' is of kind '${profile.kind}', which this version of Daytona Tray cannot use. Update Daytona Tray, or pick another profile.`,
    );
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
  return {
    name: profileName,
    kind: 'cloud',
    apiUrl: profile.apiUrl,
    ...(profile.target ? { target: profile.target } : {}),
    apiKey,
    source: 'keychain',
  };
}

/** The environment that hands a cloud profile to a child (the variables the Daytona SDK reads too). */
export function profileEnv(profile: Extract<ResolvedProfile, { kind: 'cloud' }>): Record<string, string> {
  return {
    DAYTONA_API_URL: profile.apiUrl,
    DAYTONA_API_KEY: profile.apiKey,
    ...(profile.target ? { DAYTONA_TARGET: profile.target } : {}),
  };
}

/**
 * The cloud profile the environment describes, by the Daytona SDK's own rule: DAYTONA_API_KEY selects it,
 * DAYTONA_API_URL (default the cloud's) and DAYTONA_TARGET go with it; blank counts as unset.
 * DAYTONA_API_URL without a key, or a malformed one, throws ProfileError('bad-env'): falling back to the
 * settings' profile then would act on an account the user did not mean.
 */
export function profileFromEnv(env: NodeJS.ProcessEnv): Extract<ResolvedProfile, { kind: 'cloud' }> | undefined {
  const apiKey = env.DAYTONA_API_KEY?.trim();
  const apiUrl = env.DAYTONA_API_URL?.trim();
  const target = env.DAYTONA_TARGET?.trim();
  if (!apiKey) {
    if (!apiUrl) return undefined;
    throw new ProfileError(
      'bad-env',
      'DAYTONA_API_URL is set in the environment but DAYTONA_API_KEY is not. Set DAYTONA_API_KEY too to use that server, ' +
        "or unset DAYTONA_API_URL to use the active profile from Daytona Tray's settings ('daytona-tray status' shows it).",
    );
  }
  let url = DEFAULT_CLOUD_API_URL;
  if (apiUrl) {
    const parsed = apiUrlSchema.safeParse(apiUrl);
    if (!parsed.success)
      throw new ProfileError(
        'bad-env',
        `DAYTONA_API_URL must be an http(s) URL such as ${DEFAULT_CLOUD_API_URL} (${parsed.error.issues[0]!.message}). Fix it, or unset it to use the cloud.`,
      );
    url = parsed.data;
  }
  return { name: 'env', kind: 'cloud', apiUrl: url, ...(target ? { target } : {}), apiKey, source: 'env' };
}

export interface ProfileChangeDeps {
  settings: SettingsStore;
  secrets: SecretStore;
  /** The API check (default: checkApiKey against the real API). */
  check?: typeof checkApiKey;
}

export type LoginResult = { ok: true; name: string; profile: CloudProfile } | Extract<ApiKeyCheck, { ok: false }>;

/**
 * Logs a cloud profile in with an API key (the CLI's `login` and the window's onboarding): checks the key
 * against the API, and only when it is accepted stores it in the keychain, saves the profile and makes it
 * active. A rejected key is returned as a result (with the message to show), never stored.
 */
export async function loginWithApiKey(
  deps: ProfileChangeDeps,
  request: { name: string; apiKey: string; apiUrl?: string; target?: string },
): Promise<LoginResult> {
  const { settings, unreadable } = await deps.settings.load();
  // Checked before the key is stored: the profile could not be saved afterwards.
  if (unreadable) throw new ProfileError('not-saved', `${unreadable} Nothing was stored.`);
  const existing = settings.profiles[request.name];
  if (existing && !(isKnownProfile(existing) && existing.kind === 'cloud')) {
    throw new ProfileError('unsupported-kind', `Profile '${request.name}' is of kind '${existing.kind}': it takes no API key.`);
  }
  const profile: CloudProfile = { ...existing, kind: 'cloud', apiUrl: request.apiUrl ?? existing?.apiUrl ?? DEFAULT_CLOUD_API_URL };
  if (request.target !== undefined) profile.target = request.target;

  const check = await (deps.check ?? checkApiKey)({ apiUrl: profile.apiUrl, apiKey: request.apiKey });
  if (!check.ok) return check;
  await writeApiKey(deps.secrets, request.name, request.apiKey);
  try {
    await deps.settings.update((s) => {
      s.profiles[request.name] = profile;
      s.activeProfile = request.name;
    });
  } catch (error) {
    throw new ProfileError(
      'not-saved',
      `The key is stored in the OS keychain, but profile '${request.name}' could not be saved in ${deps.settings.file}: ${(error as Error).message}`,
    );
  }
  return { ok: true, name: request.name, profile };
}

/** Makes a local-provider profile active (creating it when missing); it needs no key. */
export async function useLocalProfile(settings: SettingsStore, name: string = LOCAL_PROFILE): Promise<void> {
  const { settings: current } = await settings.load();
  const existing = current.profiles[name];
  if (existing && existing.kind !== 'local')
    throw new ProfileError('unsupported-kind', `Profile '${name}' is of kind '${existing.kind}', not the local provider.`);
  await settings.update((s) => {
    s.profiles[name] ??= { kind: 'local' };
    s.activeProfile = name;
  });
}

export interface LogoutResult {
  name: string;
  /** The profile is the local provider: there was nothing to remove. */
  local: boolean;
  removed: { apiKey: boolean; loginTokens: boolean };
  /** It is still the active profile (it now has no key). */
  active: boolean;
}

/** Removes a profile's API key and sign-in tokens from the keychain (default: the active profile). The profile stays. */
export async function logoutProfile(deps: Omit<ProfileChangeDeps, 'check'>, name?: string): Promise<LogoutResult> {
  const { settings } = await deps.settings.load();
  const profileName = name ?? settings.activeProfile;
  const active = profileName === settings.activeProfile;
  if (settings.profiles[profileName]?.kind === 'local')
    return { name: profileName, local: true, removed: { apiKey: false, loginTokens: false }, active };
  return { name: profileName, local: false, removed: await deleteProfileSecrets(deps.secrets, profileName), active };
}
