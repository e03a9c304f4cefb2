import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemorySecretStore } from '../../main/core/secrets/memory-secret-store.ts';
import type { SecretStore } from '../../main/core/secrets/secret-store.ts';
import { createSettingsStore } from '../../main/core/settings/settings-store.ts';
import { silentLogger } from '../../main/mcp/log.ts';
import { settingsProfileFallback } from '../../main/mcp/settings-profile.ts';
import type { LocalProvider } from '../../main/local/provider.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe("the MCP server's settings profile", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let file: string;
  let reads: number;
  let secrets: SecretStore;
  let clock: number;

  beforeEach(async () => {
    dir = await tempDir('daytona-tray-settings-profile-');
    file = join(dir.path, 'settings.json');
    const memory = createMemorySecretStore({ 'api-key/cloud': 'dtn_first_key' });
    reads = 0;
    secrets = {
      ...memory,
      get: (account) => {
        reads += 1;
        return memory.get(account);
      },
    };
    clock = 1_000_000;
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  const source = () =>
    settingsProfileFallback({ log: silentLogger, settings: createSettingsStore({ file }), secrets, now: () => clock, reuseMs: 10_000 });
  const writeSettings = (apiUrl: string) =>
    writeFile(file, JSON.stringify({ version: 1, activeProfile: 'cloud', profiles: { cloud: { kind: 'cloud', apiUrl } } }));

  it('with no settings file uses the local provider (the first run), without asking the keychain', async () => {
    const started: string[] = [];
    const startLocal = async (dataDir: string) => {
      started.push(dataDir);
      return { apiUrl: 'http://127.0.0.1:1/api', apiKey: 'local-key', close: async () => {} } as unknown as LocalProvider;
    };
    const profiles = settingsProfileFallback({
      log: silentLogger,
      settings: createSettingsStore({ file }),
      secrets,
      localDataDir: join(dir.path, 'local'),
      startLocal,
    });
    expect(await profiles.active()).toEqual({ name: 'local', kind: 'local', apiUrl: 'http://127.0.0.1:1/api', apiKey: 'local-key' });
    expect(await profiles.active()).toMatchObject({ name: 'local' });
    expect(started).toEqual([join(dir.path, 'local')]);
    expect(reads).toBe(0);
    await profiles.dispose();
  });

  it('reads the keychain once per settings change or reuse window, not on every tool call', async () => {
    await writeSettings('https://one.example/api');
    const profiles = source();
    expect(await profiles.active()).toEqual({ name: 'cloud', apiUrl: 'https://one.example/api', apiKey: 'dtn_first_key' });
    await profiles.active();
    await profiles.active();
    expect(reads).toBe(1);

    // A changed settings file is read again at once.
    await writeSettings('https://two.example/api');
    await utimes(file, new Date(), new Date(Date.now() + 5_000));
    expect((await profiles.active())?.apiUrl).toBe('https://two.example/api');
    expect(reads).toBe(2);

    // After the reuse window the keychain is asked again (a logout leaves the settings file as it was).
    clock += 10_000;
    await profiles.active();
    expect(reads).toBe(3);
  });

  it('says how to fix a profile with no key, and does not remember the failure', async () => {
    await writeSettings('https://one.example/api');
    await secrets.delete('api-key/cloud');
    const profiles = source();
    await expect(profiles.active()).rejects.toMatchObject({
      kind: 'no-profile',
      message: expect.stringMatching(/No API key is stored for profile 'cloud'.*daytona-tray login --profile cloud/),
    });
    await secrets.set('api-key/cloud', 'dtn_second_key');
    expect((await profiles.active())?.apiKey).toBe('dtn_second_key');
  });
});
