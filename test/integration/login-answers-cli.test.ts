import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyringSecretStore } from '../../main/core/secrets/keyring-secret-store.ts';
import { apiKeyAccount } from '../../main/core/secrets/profile-secrets.ts';
import { createSettingsStore } from '../../main/core/settings/settings-store.ts';
import { runCliToExit } from '../helpers/local-cli.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { externalIPv4 } from '../helpers/network.ts';
import { skipWhen } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { keyringEnv, keyringSkipReason, startTestKeyring, type TestKeyring } from '../helpers/test-keyring.ts';

/** A server on every interface that answers each request with `body` (status 200), counting requests. */
async function startAnswering(body: string, contentType: string): Promise<{ server: Server; port: number; requests: () => number }> {
  let requests = 0;
  const server = createServer((_request, response) => {
    requests++;
    response.writeHead(200, { 'content-type': contentType }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  return { server, port: (server.address() as { port: number }).port, requests: () => requests };
}

const CAPTIVE_PAGE =
  '<!doctype html><html><head><title>Welcome to Airport Wi-Fi</title></head><body><form>Accept the terms</form></body></html>';

describe(
  "login accepts only an answer that is Daytona's (real keychain, loopback servers)",
  skipWhen(keyringSkipReason(), 'keyring'),
  () => {
    let home: Awaited<ReturnType<typeof tempDir>>;
    let keyring: TestKeyring;
    let provider: TestProvider;
    let portal: Awaited<ReturnType<typeof startAnswering>>;
    let stranger: Awaited<ReturnType<typeof startAnswering>>;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      home = await tempDir('daytona-tray-login-answers-');
      keyring = await startTestKeyring({ parentDir: home.path });
      provider = await startTestProvider();
      portal = await startAnswering(CAPTIVE_PAGE, 'text/html');
      stranger = await startAnswering('{"status":"ok","items":"none"}', 'application/json');
      env = keyringEnv(keyring, { PATH: process.env.PATH, HOME: home.path, DAYTONA_TRAY_HOME: join(home.path, 'app') });
    });
    afterAll(async () => {
      await new Promise((resolve) => portal?.server.close(resolve));
      await new Promise((resolve) => stranger?.server.close(resolve));
      await provider?.stop();
      await keyring?.stop();
      await home?.cleanup();
    });

    const storedKey = (profile: string) => createKeyringSecretStore({ env }).get(apiKeyAccount(profile));
    const savedProfile = async (profile: string) => (await createSettingsStore({ env }).load()).settings.profiles[profile];

    it("a captive portal's HTML page (200) is not an accepted key: nothing stored, the profile not made active", async () => {
      const result = await runCliToExit(['login', '--profile', 'portal', '--api-url', `http://127.0.0.1:${portal.port}/api`], env, {
        input: 'dtn_real_looking_key_123\n',
        timeoutMs: 45_000,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `http://127.0.0.1:${portal.port}/api answered, but not as Daytona's API does (its answer is not JSON): this may be a network sign-in page`,
      );
      expect(result.stderr).toContain('Nothing was stored.');
      expect(portal.requests()).toBeGreaterThan(0);
      expect(await storedKey('portal')).toBeNull();
      expect(await savedProfile('portal')).toBeUndefined();
    });

    it('JSON that is not a sandbox listing is refused too', async () => {
      const result = await runCliToExit(['login', '--profile', 'stranger', '--api-url', `http://127.0.0.1:${stranger.port}/api`], env, {
        input: 'dtn_real_looking_key_123\n',
        timeoutMs: 45_000,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("answered, but not as Daytona's API does (the sandbox listing has an unexpected shape)");
      expect(await storedKey('stranger')).toBeNull();
    });

    it('the genuine Daytona API (the local provider) accepts the key, which is stored', async () => {
      const result = await runCliToExit(['login', '--profile', 'genuine', '--api-url', provider.provider.apiUrl], env, {
        input: `${provider.provider.apiKey}\n`,
        timeoutMs: 45_000,
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(await storedKey('genuine')).toBe(provider.provider.apiKey);
    });

    it('a key with characters a header cannot carry is called malformed, and is never sent', async () => {
      const before = portal.requests();
      const result = await runCliToExit(['login', '--profile', 'odd', '--api-url', `http://127.0.0.1:${portal.port}/api`], env, {
        input: 'dtn_clé_Ωmega\n',
        timeoutMs: 45_000,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('That API key is malformed: it has characters no Daytona API key has');
      expect(result.stderr).not.toMatch(/network/i);
      expect(result.stderr).not.toContain('clé');
      expect(portal.requests()).toBe(before);
      expect(await storedKey('odd')).toBeNull();
    });

    const noExternal = externalIPv4() ? undefined : 'this machine has no non-loopback IPv4 address to stand for a remote host';
    it('refuses plain HTTP to a host that is not this machine unless --insecure, and says why', skipWhen(noExternal), async () => {
      const apiUrl = `http://${externalIPv4()}:${portal.port}/api`;
      const before = portal.requests();
      const refused = await runCliToExit(['login', '--profile', 'remote', '--api-url', apiUrl], env, {
        input: 'dtn_real_looking_key_123\n',
        timeoutMs: 45_000,
      });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        `refusing to send a key over plain HTTP to ${externalIPv4()}:${portal.port}: anyone on the network between here and there could read it. Use the https:// address of the API, or, only on a network you trust, run login again with --insecure.`,
      );
      expect(portal.requests()).toBe(before);

      // With --insecure the key is sent (and here meets the portal page, which is still not Daytona).
      const allowed = await runCliToExit(['login', '--profile', 'remote', '--api-url', apiUrl, '--insecure'], env, {
        input: 'dtn_real_looking_key_123\n',
        timeoutMs: 45_000,
      });
      expect(allowed.code).toBe(1);
      expect(allowed.stderr).toContain("answered, but not as Daytona's API does");
      expect(portal.requests()).toBeGreaterThan(before);
      expect(await storedKey('remote')).toBeNull();
    });
  },
);
