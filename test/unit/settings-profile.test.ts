import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  loginWithApiKey,
  logoutProfile,
  profileEnv,
  profileFromEnv,
  ProfileError,
  resolveProfile,
  useLocalProfile,
} from '../../main/core/profile.ts';
import type { checkApiKey } from '../../main/core/secrets/check-api-key.ts';
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

const error = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as ProfileError,
  );

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
    expect(resolved).toEqual({
      name: 'cloud',
      kind: 'cloud',
      apiUrl: DEFAULT_CLOUD_API_URL,
      target: 'us',
      apiKey: 'dtn_cloud',
      source: 'keychain',
    });
    expect(profileEnv(resolved as Extract<typeof resolved, { kind: 'cloud' }>)).toEqual({
      DAYTONA_API_URL: DEFAULT_CLOUD_API_URL,
      DAYTONA_API_KEY: 'dtn_cloud',
      DAYTONA_TARGET: 'us',
    });
  });

  it('says which command fixes a missing key, without touching the keychain of other profiles', async () => {
    await settings.update((s) => {
      s.activeProfile = 'cloud';
    });
    const secrets = createMemorySecretStore({ [apiKeyAccount('other')]: 'dtn_other' });
    const e = await error(resolveProfile({ settings, secrets }));
    expect(e).toBeInstanceOf(ProfileError);
    expect(e).toMatchObject({ code: 'no-api-key' });
    expect(e!.message).toBe(
      "No API key is stored for profile 'cloud'. Run 'daytona-tray login --profile cloud' (it reads the key from stdin or a hidden prompt), or use the local provider: 'daytona-tray login --profile local'.",
    );
  });

  it('names the profiles there are when asked for one that is not', async () => {
    const e = await error(resolveProfile({ settings, secrets: createMemorySecretStore() }, 'nope'));
    expect(e).toMatchObject({
      code: 'unknown-profile',
      message: "There is no profile 'nope' (profiles: cloud, local). Create it with 'daytona-tray login --profile nope'.",
    });
  });

  it('refuses a profile kind from a newer version', async () => {
    await settings.update((s) => {
      s.profiles.remote = { kind: 'ssh', host: 'h' };
    });
    const e = await error(resolveProfile({ settings, secrets: createMemorySecretStore() }, 'remote'));
    expect(e).toMatchObject({ code: 'unsupported-kind' });
    expect(e!.message).toMatch(/kind 'ssh', which this version of Daytona Tray cannot use/);
  });

  it('lets DAYTONA_API_KEY (+ DAYTONA_API_URL) win when an environment is given (how the supervisor hands over the key)', async () => {
    const env = { DAYTONA_API_URL: 'https://d.example.com/api/', DAYTONA_API_KEY: 'dtn_env', DAYTONA_TARGET: 'eu' };
    expect(await resolveProfile({ settings, secrets: createMemorySecretStore(), env })).toEqual({
      name: 'env',
      kind: 'cloud',
      apiUrl: 'https://d.example.com/api',
      target: 'eu',
      apiKey: 'dtn_env',
      source: 'env',
    });
    expect(profileFromEnv({ DAYTONA_API_KEY: 'only-key' })).toMatchObject({ apiUrl: 'https://app.daytona.io/api', apiKey: 'only-key' });
    await expect(
      resolveProfile({ settings, secrets: createMemorySecretStore(), env: { DAYTONA_API_URL: 'https://d.example.com/api' } }),
    ).rejects.toMatchObject({ code: 'bad-env' });
    // Without `env`, or for a named profile, the environment is not consulted.
    expect(await resolveProfile({ settings, secrets: createMemorySecretStore() })).toEqual({ name: 'local', kind: 'local' });
    expect(await resolveProfile({ settings, secrets: createMemorySecretStore(), env }, 'local')).toEqual({ name: 'local', kind: 'local' });
  });

  it('reads login tokens back only when they are well-formed', async () => {
    const secrets = createMemorySecretStore({
      [loginTokensAccount('cloud')]: '{"accessToken": ""}',
      [loginTokensAccount('b')]: 'not json',
    });
    expect(await readLoginTokens(secrets, 'cloud')).toBeNull();
    expect(await readLoginTokens(secrets, 'b')).toBeNull();
    expect(await readLoginTokens(secrets, 'none')).toBeNull();
  });
});

describe('changing profiles (what login / logout and the onboarding window do)', () => {
  const accept: typeof checkApiKey = async () => ({ ok: true });
  const reject: typeof checkApiKey = async ({ apiUrl }) => ({
    ok: false,
    reason: 'rejected',
    message: `API key rejected by ${apiUrl} (401).`,
  });

  it('stores nothing and changes nothing when the API rejects the key', async () => {
    const secrets = createMemorySecretStore();
    const result = await loginWithApiKey({ settings, secrets, check: reject }, { name: 'cloud', apiKey: 'dtn_bad' });
    expect(result).toEqual({ ok: false, reason: 'rejected', message: `API key rejected by ${DEFAULT_CLOUD_API_URL} (401).` });
    expect(secrets.entries().size).toBe(0);
    expect((await settings.load()).settings.activeProfile).toBe('local');
  });

  it('stores an accepted key, saves the profile and activates it; a later login keeps what it does not change', async () => {
    const secrets = createMemorySecretStore();
    const seen: string[] = [];
    const check: typeof checkApiKey = async ({ apiUrl }) => (seen.push(apiUrl), { ok: true });
    await loginWithApiKey({ settings, secrets, check }, { name: 'eu', apiKey: 'dtn_1', apiUrl: 'https://d.example.com/api', target: 'eu' });
    const again = await loginWithApiKey({ settings, secrets, check }, { name: 'eu', apiKey: 'dtn_2' });
    expect(again).toEqual({ ok: true, name: 'eu', profile: { kind: 'cloud', apiUrl: 'https://d.example.com/api', target: 'eu' } });
    expect(seen).toEqual(['https://d.example.com/api', 'https://d.example.com/api']);
    expect(secrets.entries()).toEqual(new Map([[apiKeyAccount('eu'), 'dtn_2']]));
    const { settings: saved } = await settings.load();
    expect(saved.activeProfile).toBe('eu');
    expect(JSON.stringify(saved)).not.toContain('dtn_');
  });

  it('refuses a key for the local provider, and switches to it instead', async () => {
    await expect(
      loginWithApiKey({ settings, secrets: createMemorySecretStore(), check: accept }, { name: 'local', apiKey: 'k' }),
    ).rejects.toThrow(/takes no API key/);
    await loginWithApiKey({ settings, secrets: createMemorySecretStore(), check: accept }, { name: 'cloud', apiKey: 'k' });
    await useLocalProfile(settings);
    expect((await settings.load()).settings.activeProfile).toBe('local');
    await expect(useLocalProfile(settings, 'cloud')).rejects.toThrow(/not the local provider/);
  });

  it('logout removes the key and tokens of the active profile by default, and leaves a local profile alone', async () => {
    const secrets = createMemorySecretStore();
    await loginWithApiKey({ settings, secrets, check: accept }, { name: 'cloud', apiKey: 'k' });
    await secrets.set(loginTokensAccount('cloud'), '{"accessToken":"t"}');
    expect(await logoutProfile({ settings, secrets })).toEqual({
      name: 'cloud',
      local: false,
      removed: { apiKey: true, loginTokens: true },
      active: true,
    });
    expect(secrets.entries().size).toBe(0);
    expect(await logoutProfile({ settings, secrets }, 'local')).toEqual({
      name: 'local',
      local: true,
      removed: { apiKey: false, loginTokens: false },
      active: false,
    });
  });
});
