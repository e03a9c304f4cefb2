import { readdir, readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyringSecretStore, KEYCHAIN_SERVICE } from '../../main/core/secrets/keyring-secret-store.ts';
import {
  apiKeyAccount,
  deleteProfileSecrets,
  readApiKey,
  readLoginTokens,
  writeApiKey,
  writeLoginTokens,
} from '../../main/core/secrets/profile-secrets.ts';
import { SecretStoreError } from '../../main/core/secrets/secret-store.ts';
import { keyringEnv, keyringSkipReason, startTestKeyring, type TestKeyring } from '../helpers/test-keyring.ts';
import { skipWhen } from '../helpers/skip.ts';

const skipReason = keyringSkipReason();

async function rejection(promise: Promise<unknown>): Promise<SecretStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SecretStoreError);
  return error as SecretStoreError;
}

/** Pids of live processes whose command line contains `marker` (Linux /proc). */
async function processesWith(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    if (cmdline.includes(marker) && !/\) Z /.test(stat)) pids.push(Number(name));
  }
  return pids;
}

describe('keychain against a real Secret Service (gnome-keyring on a private D-Bus)', skipWhen(skipReason, 'keyring'), () => {
  let keyring: TestKeyring;
  beforeAll(async () => {
    keyring = await startTestKeyring();
  });
  afterAll(async () => {
    await keyring?.stop();
  });
  const store = () => createKeyringSecretStore({ env: keyringEnv(keyring) });

  it('round-trips a secret through gnome-keyring itself (libsecret sees it; no kernel-keyring fallback)', async () => {
    const secrets = store();
    const value = `dtn_${randomUUID()}-é🔑`;
    expect(await secrets.get('round-trip')).toBeNull();
    await secrets.set('round-trip', value);
    expect(await secrets.get('round-trip')).toBe(value);
    // The entry is really in the Secret Service: libsecret's secret-tool finds it by napi-rs's attributes.
    expect(await keyring.lookup({ service: KEYCHAIN_SERVICE, username: 'round-trip' })).toBe(value);
    await secrets.set('round-trip', 'overwritten');
    expect(await secrets.get('round-trip')).toBe('overwritten');
    expect(await secrets.delete('round-trip')).toBe(true);
    expect(await secrets.delete('round-trip')).toBe(false);
    expect(await secrets.get('round-trip')).toBeNull();
    expect(await keyring.lookup({ service: KEYCHAIN_SERVICE, username: 'round-trip' })).toBeNull();
  });

  it('keeps one API key per profile, and login tokens apart from it', async () => {
    const secrets = store();
    await writeApiKey(secrets, 'cloud', 'key-for-cloud');
    await writeApiKey(secrets, 'staging', 'key-for-staging');
    await writeLoginTokens(secrets, 'cloud', {
      accessToken: 'jwt-access',
      refreshToken: 'jwt-refresh',
      expiresAt: '2030-01-01T00:00:00Z',
      organizationId: 'org-1',
    });
    expect(await readApiKey(secrets, 'cloud')).toBe('key-for-cloud');
    expect(await readApiKey(secrets, 'staging')).toBe('key-for-staging');
    expect(await readLoginTokens(secrets, 'cloud')).toEqual({
      accessToken: 'jwt-access',
      refreshToken: 'jwt-refresh',
      expiresAt: '2030-01-01T00:00:00Z',
      organizationId: 'org-1',
    });
    expect(await readLoginTokens(secrets, 'staging')).toBeNull();

    expect(await deleteProfileSecrets(secrets, 'cloud')).toEqual({ apiKey: true, loginTokens: true });
    expect(await readApiKey(secrets, 'cloud')).toBeNull();
    expect(await readLoginTokens(secrets, 'cloud')).toBeNull();
    expect(await readApiKey(secrets, 'staging')).toBe('key-for-staging');
    expect(await secrets.get(apiKeyAccount('staging'))).toBe('key-for-staging');
    await deleteProfileSecrets(secrets, 'staging');
  });

  it('a locked keyring gives a clear "locked" error at once, not a hang and not the secret', async () => {
    const secrets = store();
    await secrets.set('locked-test', 'before-lock');
    await keyring.lock();
    const onGet = await rejection(secrets.get('locked-test'));
    expect(onGet.code).toBe('locked');
    expect(onGet.message).toMatch(/locked/i);
    expect(onGet.message).toMatch(/Unlock it/);
    const onSet = await rejection(secrets.set('locked-test', 'the-secret-value-123'));
    expect(onSet.code).toBe('locked');
    expect(onSet.message).not.toContain('the-secret-value-123');
    expect(onSet.detail ?? '').not.toContain('the-secret-value-123');
  });
});

describe('keychain failure modes', skipWhen(skipReason, 'keyring'), () => {
  it('a Secret Service that does not answer fails with a timeout that says what to do', async () => {
    const keyring = await startTestKeyring();
    try {
      keyring.freeze(true);
      const secrets = createKeyringSecretStore({ env: keyringEnv(keyring), timeoutMs: 1_000 });
      const error = await rejection(secrets.get('frozen'));
      expect(error.code).toBe('timeout');
      expect(error.message).toMatch(/did not answer within 1 s/);
      expect(error.message).toMatch(/unlock your login keyring/);
      keyring.freeze(false);
      // The same store works again once the keyring answers. Polled: on a loaded machine, spawning the keychain
      // worker alone can take longer than this store's 1 s timeout.
      await expect
        .poll(() => secrets.get('frozen').catch((error: { code?: string }) => `failed: ${error.code}`), { timeout: 30_000 })
        .toBeNull();
    } finally {
      await keyring.stop();
    }
  });

  it('a keychain call that never returns is abandoned at the timeout and its process killed', async () => {
    const marker = `hang-${randomUUID()}`;
    const secrets = createKeyringSecretStore({
      timeoutMs: 300,
      worker: { command: process.execPath, args: ['-e', `/*${marker}*/ setInterval(() => {}, 1000)`] },
    });
    const error = await rejection(secrets.set('never', 'secret-that-must-not-leak'));
    expect(error.code).toBe('timeout');
    expect(error.message).not.toContain('secret-that-must-not-leak');
    await expect.poll(() => processesWith(marker), { timeout: 10_000 }).toEqual([]);
  });

  it('no Secret Service on the bus: a clear error, nothing stored anywhere else', async () => {
    const keyring = await startTestKeyring({ secretService: false });
    try {
      const secrets = createKeyringSecretStore({ env: keyringEnv(keyring) });
      const onSet = await rejection(secrets.set('nowhere', 'secret-xyz'));
      expect(onSet.code).toBe('no-secret-service');
      expect(onSet.message).toMatch(/No Secret Service/);
      expect(onSet.message).toMatch(/does not fall back/);
      expect(onSet.message).not.toContain('secret-xyz');
      const onGet = await rejection(secrets.get('nowhere'));
      expect(onGet.code).toBe('no-secret-service');
    } finally {
      await keyring.stop();
    }
  });

  it('no D-Bus session bus at all: a clear error (no kernel-keyring fallback)', async () => {
    const env = { ...process.env };
    delete env.DBUS_SESSION_BUS_ADDRESS;
    delete env.DISPLAY;
    const secrets = createKeyringSecretStore({ env });
    const error = await rejection(secrets.set('no-bus', 'secret-abc'));
    expect(error.code).toBe('no-secret-service');
    expect(error.message).toMatch(/No Secret Service/);
  });
});
