import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { profileEnv, profileFromEnv, ProfileError, resolveProfile } from '../../main/core/profile.ts';
import { createMemorySecretStore } from '../../main/core/secrets/memory-secret-store.ts';
import { apiKeyAccount, loginTokensAccount, readLoginTokens } from '../../main/core/secrets/profile-secrets.ts';
import { DEFAULT_CLOUD_API_URL } from '../../main/core/settings/settings-schema.ts';
import { createSettingsStore, type SettingsStore } from '../../main/core/settings/settings-store.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let dir: { path: string; cleanup: () => Promise<void> };
let settings: SettingsStore;
beforeEach(async () => {
  dir = await tempDir('daytona-tray-profile-');
  settings = createSettingsStore({ file: join(dir.path, 'settings.json') });
});
afterEach(() => dir.cleanup());

const error = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as ProfileError);

describe('resolving the active profile (settings + keychain)', () => {
  it('starts on the local provider, which needs no key', async () => {
    expect(await resolveProfile({ settings, secrets: createMemorySecretStore() })).toEqual({ name: 'local', kind: 'local' });
  });

  it('gives a cloud profile its URL, target and key from the keychain', async () => {
    await settings.update((s) => {
      s.profiles.cloud = { kind: 'cloud', apiUrl: DEFAULT_CLOUD_API_URL, target: 'us' };
      s.activeProfile = 'cloud';
    });
    const secrets = createMemorySecretStore({ [apiKeyAccount('cloud')]: 'dtn_cloud' });
    const resolved = await resolveProfile({ settings, secrets });
    expect(resolved).toEqual({ name: 'cloud', kind: 'cloud', apiUrl: DEFAULT_CLOUD_API_URL, target: 'us', apiKey: 'dtn_cloud', source: 'keychain' });
    expect(profileEnv(resolved as Extract<typeof resolved, { kind: 'cloud' }>)).toEqual({ DAYTONA_API_URL: DEFAULT_CLOUD_API_URL, DAYTONA_API_KEY: 'dtn_cloud', DAYTONA_TARGET: 'us' });
  });

  it('says which command fixes a missing key, without touching the keychain of other profiles', async () => {
    await settings.update((s) => {
      s.activeProfile = 'cloud';
    });
    const secrets = createMemorySecretStore({ [apiKeyAccount('other')]: 'dtn_other' });
    const e = await error(resolveProfile({ settings, secrets }));
    expect(e).toBeInstanceOf(ProfileError);
    expect(e).toMatchObject({ code: 'no-api-key' });
    expect(e!.message).toBe("No API key is stored for profile 'cloud'. Run 'daytona-tray login --profile cloud' (it reads the key from stdin or a hidden prompt), or use the local provider: 'daytona-tray login --profile local'.");
  });

  it('names the profiles there are when asked for one that is not', async () => {
    const e = await error(resolveProfile({ settings, secrets: createMemorySecretStore() }, 'nope'));
    expect(e).toMatchObject({ code: 'unknown-profile', message: "There is no profile 'nope' (profiles: cloud, local). Create it with 'daytona-tray login --profile nope'." });
  });

  it('refuses a profile kind from a newer version', async () => {
    await settings.update((s) => {
      s.profiles.remote = { kind: 'ssh', host: 'h' };
    });
    const e = await error(resolveProfile({ settings, secrets: createMemorySecretStore() }, 'remote'));
    expect(e).toMatchObject({ code: 'unsupported-kind' });
    expect(e!.message).toMatch(/kind 'ssh', which this version of Daytona Tray cannot use/);
  });

  it('lets DAYTONA_API_URL + DAYTONA_API_KEY win when an environment is given (how the supervisor hands over the key)', async () => {
    const env = { DAYTONA_API_URL: 'https://d.example.com/api/', DAYTONA_API_KEY: 'dtn_env', DAYTONA_TARGET: 'eu' };
    expect(await resolveProfile({ settings, secrets: createMemorySecretStore(), env })).toEqual({ name: 'env', kind: 'cloud', apiUrl: 'https://d.example.com/api', target: 'eu', apiKey: 'dtn_env', source: 'env' });
    expect(profileFromEnv({ DAYTONA_API_KEY: 'only-key' })).toBeUndefined();
    // Without `env`, or for a named profile, the environment is not consulted.
    expect(await resolveProfile({ settings, secrets: createMemorySecretStore() })).toEqual({ name: 'local', kind: 'local' });
    expect(await resolveProfile({ settings, secrets: createMemorySecretStore(), env }, 'local')).toEqual({ name: 'local', kind: 'local' });
  });

  it('reads login tokens back only when they are well-formed', async () => {
    const secrets = createMemorySecretStore({ [loginTokensAccount('cloud')]: '{"accessToken": ""}', [loginTokensAccount('b')]: 'not json' });
    expect(await readLoginTokens(secrets, 'cloud')).toBeNull();
    expect(await readLoginTokens(secrets, 'b')).toBeNull();
    expect(await readLoginTokens(secrets, 'none')).toBeNull();
  });
});
