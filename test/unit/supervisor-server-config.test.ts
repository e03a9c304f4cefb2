import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemorySecretStore } from '../../main/core/secrets/memory-secret-store.ts';
import { apiKeyAccount } from '../../main/core/secrets/profile-secrets.ts';
import { SecretStoreError, type SecretStore } from '../../main/core/secrets/secret-store.ts';
import { createSettingsStore, type SettingsStore } from '../../main/core/settings/settings-store.ts';
import { loadServerConfig, sameServerConfig } from '../../main/core/supervisor/server-config.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let settings: SettingsStore;

beforeEach(async () => {
  dir = await tempDir('supervisor-config-');
  settings = createSettingsStore({ file: join(dir.path, 'settings.json') });
});
afterEach(async () => dir.cleanup());

describe('the MCP server config the supervisor starts from', () => {
  it('the active cloud profile with its key from the keychain, the port and the switched-off tool groups', async () => {
    await settings.update((s) => {
      s.profiles.work = { kind: 'cloud', apiUrl: 'https://daytona.example.com/api', target: 'eu' };
      s.activeProfile = 'work';
      s.mcp.port = 43210;
      s.mcp.toolGroups.git = false;
      s.mcp.toolGroups.preview = false;
    });
    const secrets = createMemorySecretStore({ [apiKeyAccount('work')]: 'dtn_work_key' });
    expect(await loadServerConfig({ settings, secrets })).toEqual({
      profile: {
        name: 'work',
        kind: 'cloud',
        apiUrl: 'https://daytona.example.com/api',
        target: 'eu',
        apiKey: 'dtn_work_key',
        source: 'keychain',
      },
      port: 43210,
      disabledGroups: ['git', 'preview'],
    });
  });

  it('defaults: the local profile, any port, every tool group', async () => {
    expect(await loadServerConfig({ settings, secrets: createMemorySecretStore() })).toEqual({
      profile: { name: 'local', kind: 'local' },
      port: 0,
      disabledGroups: [],
    });
  });

  it('a missing key or a locked keychain is a problem to show, not a reason to keep the server down', async () => {
    await settings.update((s) => {
      s.activeProfile = 'cloud';
    });
    const missing = await loadServerConfig({ settings, secrets: createMemorySecretStore() });
    expect(missing.profile).toBeUndefined();
    expect(missing.profileProblem).toContain("No API key is stored for profile 'cloud'. Run 'daytona-tray login --profile cloud'");

    const locked: SecretStore = {
      get: async () => {
        throw new SecretStoreError('timeout', 'The Secret Service keyring did not answer within 5 s.');
      },
      set: async () => {},
      delete: async () => false,
    };
    const timedOut = await loadServerConfig({ settings, secrets: locked });
    expect(timedOut).toEqual({
      profile: undefined,
      profileProblem: 'The Secret Service keyring did not answer within 5 s.',
      port: 0,
      disabledGroups: [],
    });
  });

  it('DAYTONA_API_URL + DAYTONA_API_KEY in the environment win, as for the CLI', async () => {
    const config = await loadServerConfig({
      settings,
      secrets: createMemorySecretStore(),
      env: { DAYTONA_API_URL: 'http://127.0.0.1:1/api', DAYTONA_API_KEY: 'dtn_env' },
    });
    expect(config.profile).toMatchObject({ name: 'env', kind: 'cloud', apiKey: 'dtn_env', source: 'env' });
  });

  it('sameServerConfig: a new key, profile, port or group set needs a restart; group order and advice wording do not', () => {
    const base = {
      profile: { name: 'a', kind: 'cloud' as const, apiUrl: 'https://x/api', apiKey: 'k1', source: 'keychain' as const },
      port: 0,
      disabledGroups: ['git' as const, 'preview' as const],
    };
    expect(sameServerConfig(undefined, base)).toBe(false);
    expect(sameServerConfig(base, { ...base, disabledGroups: ['preview', 'git'] })).toBe(true);
    expect(sameServerConfig(base, { ...base, profileProblem: 'anything' })).toBe(true);
    expect(sameServerConfig(base, { ...base, profile: { ...base.profile, apiKey: 'k2' } })).toBe(false);
    expect(sameServerConfig(base, { ...base, profile: { name: 'a', kind: 'local' } })).toBe(false);
    expect(sameServerConfig(base, { ...base, port: 1234 })).toBe(false);
    expect(sameServerConfig(base, { ...base, disabledGroups: ['git'] })).toBe(false);
    expect(sameServerConfig({ ...base, profile: undefined }, { ...base, profile: undefined })).toBe(true);
  });
});
