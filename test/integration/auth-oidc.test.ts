import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInProfile } from '../../main/core/auth/browser-login.ts';
import { exchangeCode, signInWithBrowser, SignInError } from '../../main/core/auth/sign-in.ts';
import { createTokenManager, keychainTokenStore, SignInRequiredError } from '../../main/core/auth/token-manager.ts';
import { createMemorySecretStore } from '../../main/core/secrets/memory-secret-store.ts';
import { loginTokensAccount, type LoginTokens } from '../../main/core/secrets/profile-secrets.ts';
import { requestJson, type FetchLike } from '../../main/core/http/request-json.ts';
import { visitAsBrowser, type BrowserRun } from '../helpers/browser-stand-in.ts';
import { runCliToExit } from '../helpers/local-cli.ts';
import { filesUnder } from '../helpers/host-state.ts';
import { externalIPv4 } from '../helpers/network.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { keyringEnv, keyringSkipReason, startTestKeyring, type TestKeyring } from '../helpers/test-keyring.ts';
import { KEYCHAIN_SERVICE } from '../../main/core/secrets/keyring-secret-store.ts';
import { skipWhen } from '../helpers/skip.ts';

const CLIENT_ID = 'daytona-tray-test';

/**
 * A real OpenID Connect provider (panva's oidc-provider) on 127.0.0.1 with a public native client that
 * must use PKCE, plus a small "Daytona API" whose /config advertises it (Auth0 variant) and whose
 * /organizations accepts only tokens the provider vouches for.
 */
let oidcServer: Server;
let apiServer: Server;
let issuer: string;
let apiUrl: string;
let provider: Provider;

beforeAll(async () => {
  oidcServer = createServer();
  await new Promise<void>((resolve) => oidcServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(oidcServer.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        // Native + loopback: any port is accepted for this redirect (RFC 8252 §7.3), the host must match.
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    cookies: { keys: ['test-only-cookie-key'] },
    scopes: ['openid', 'offline_access', 'profile'],
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, RefreshToken: 86_400, Session: 3600, Interaction: 600, Grant: 86_400 },
  });
  oidcServer.on('request', provider.callback());

  apiServer = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/api/config') {
      return send(200, {
        version: 'test',
        oidc: { issuer, clientId: CLIENT_ID, audience: 'daytona-api', provider: 'auth0' },
        billingApiUrl: 'http://127.0.0.1:1/billing',
      });
    }
    if (req.url === '/api/organizations') {
      // Valid only if the provider's userinfo endpoint accepts the token.
      void fetch(`${issuer}/me`, { headers: { authorization: req.headers.authorization ?? '' } }).then((me) => {
        if (!me.ok) return send(401, { statusCode: 401, message: 'Unauthorized' });
        send(200, [
          { id: 'org-team', name: 'Team', personal: false },
          { id: 'org-personal', name: 'Personal', personal: true },
        ]);
      });
      return;
    }
    send(404, { message: 'not found' });
  });
  await new Promise<void>((resolve) => apiServer.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  for (const server of [oidcServer, apiServer]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** The stand-in browser (test/helpers/browser-stand-in.ts), recording each visit. */
function browser(options: { deliver?: (callback: URL) => URL | undefined; consent?: 'accept' | 'abort' } = {}) {
  const runs: BrowserRun[] = [];
  const open = async (url: string): Promise<void> => {
    const run: BrowserRun = { authorizeUrl: new URL(url), callback: undefined, callbackStatus: undefined, callbackPage: '' };
    runs.push(run);
    Object.assign(run, await visitAsBrowser(url, { issuer, ...options }));
  };
  return { open, runs };
}

/** True when nothing accepts TCP connections at host:port. */
function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(true);
    });
  });
}

const externalAddress = externalIPv4();

describe('Sign in with Daytona against a real OIDC provider (authorization code + PKCE)', () => {
  it('runs the whole flow through the browser stand-in and returns tokens that the API accepts', async () => {
    const b = browser();
    let port = 0;
    const probes: Record<string, boolean> = {};
    const tokens = await signInWithBrowser({
      apiUrl,
      openBrowser: async (url) => {
        port = Number(new URL(new URL(url).searchParams.get('redirect_uri')!).port);
        // While the flow is open: loopback only (not 127.0.0.2, not the machine's LAN address).
        probes.loopback = !(await refused('127.0.0.1', port));
        probes.otherLoopback = await refused('127.0.0.2', port);
        if (externalAddress) probes.external = await refused(externalAddress, port);
        await b.open(url);
      },
    });
    const { authorizeUrl, callbackStatus, callbackPage } = b.runs[0]!;
    const params = Object.fromEntries(authorizeUrl.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      code_challenge_method: 'S256',
      scope: 'openid offline_access profile',
      prompt: 'consent',
      audience: 'daytona-api',
      redirect_uri: `http://127.0.0.1:${port}/callback`,
    });
    expect(params.state).toMatch(/^[\w-]{43}$/);
    expect(params.code_challenge).toMatch(/^[\w-]{43}$/);
    expect(probes).toEqual({ loopback: true, otherLoopback: true, ...(externalAddress ? { external: true } : {}) });
    expect(callbackStatus).toBe(200);
    expect(callbackPage).toContain('Signed in to Daytona');

    expect(tokens).toMatchObject({ issuer, clientId: CLIENT_ID, organizationId: 'org-personal' });
    expect(tokens.refreshToken).toBeTruthy();
    expect(Date.parse(tokens.expiresAt!) - Date.now()).toBeGreaterThan(3500_000);
    const me = await requestJson(`${issuer}/me`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(me).toEqual({ sub: 'alice' });
    // One use: the callback server is gone.
    expect(await refused('127.0.0.1', port)).toBe(true);
  });

  it('refuses a callback whose state does not match, and closes the callback server', async () => {
    let port = 0;
    const b = browser({
      deliver: (callback) => {
        port = Number(callback.port);
        const forged = new URL(callback);
        forged.searchParams.set('state', 'forged-state');
        return forged;
      },
    });
    const error = await signInWithBrowser({ apiUrl, openBrowser: b.open }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SignInError);
    expect(error).toMatchObject({ code: 'state-mismatch' });
    expect((error as Error).message).toMatch(/state mismatch/);
    expect(b.runs[0]!.callbackStatus).toBe(400);
    expect(b.runs[0]!.callbackPage).toContain('state mismatch');
    expect(await refused('127.0.0.1', port)).toBe(true);
  });

  it("shows the provider's own reason when it rejects our client, before opening any browser", async () => {
    const b = browser();
    const error = await signInWithBrowser({ apiUrl, openBrowser: b.open, overrides: { clientId: 'not-registered' } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'provider-rejected' });
    expect((error as Error).message).toMatch(/refused this app: invalid_client: client is invalid/);
    expect((error as Error).message).toContain('keeps working with your API key');
    expect(b.runs).toHaveLength(0);
  });

  it("shows the provider's own reason when it rejects our redirect URI", async () => {
    const b = browser();
    // The client registered 127.0.0.1; a localhost redirect does not match it.
    const error = await signInWithBrowser({ apiUrl, openBrowser: b.open, overrides: { redirectHost: 'localhost' } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'provider-rejected' });
    expect((error as Error).message).toMatch(
      /invalid_redirect_uri: redirect_uri did not match any of the client's registered redirect_uris/,
    );
    expect(b.runs).toHaveLength(0);
  });

  it('reports a sign-in the user declined at the provider', async () => {
    const b = browser({ consent: 'abort' });
    const error = await signInWithBrowser({ apiUrl, openBrowser: b.open }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'provider-rejected' });
    expect((error as Error).message).toMatch(/access_denied: End-User aborted interaction/);
  });

  it('cannot redeem the code without the PKCE verifier; a cancelled sign-in closes its server', async () => {
    let stolen: URL | undefined;
    const b = browser({
      deliver: (callback) => {
        stolen = callback;
        return undefined;
      },
    });
    const abort = new AbortController();
    const signingIn = signInWithBrowser({ apiUrl, openBrowser: b.open, signal: abort.signal });
    await expect.poll(() => stolen !== undefined, { timeout: 20_000 }).toBe(true);
    const code = stolen!.searchParams.get('code')!;
    const tokenEndpoint = `${issuer}/token`;
    await expect(
      exchangeCode(
        { tokenEndpoint, clientId: CLIENT_ID },
        { code, redirectUri: `http://127.0.0.1:${stolen!.port}/callback`, verifier: 'x'.repeat(43) },
      ),
    ).rejects.toThrow(/did not issue tokens.*(PKCE|grant request is invalid)/);
    abort.abort();
    await expect(signingIn).rejects.toMatchObject({ code: 'cancelled' });
    expect(await refused('127.0.0.1', Number(stolen!.port))).toBe(true);
  });
});

describe('token refresh and sign-out against the same provider', () => {
  async function signedIn(): Promise<LoginTokens> {
    return signInWithBrowser({ apiUrl, openBrowser: browser().open });
  }

  /** fetch that counts calls to the token endpoint. */
  function countingFetch(): { fetch: FetchLike; tokenCalls: () => number } {
    let calls = 0;
    return {
      fetch: (input, init) => {
        if (String(input).endsWith('/token')) calls++;
        return fetch(input, init);
      },
      tokenCalls: () => calls,
    };
  }

  it('refreshes shortly before expiry, once for concurrent callers, rotating the refresh token into the keychain entry', async () => {
    const tokens = await signedIn();
    const secrets = createMemorySecretStore();
    const store = keychainTokenStore(secrets, 'cloud');
    const counting = countingFetch();
    let now = Date.now();
    const manager = createTokenManager({ store, fetch: counting.fetch, now: () => now });
    await manager.save(tokens);
    expect(await manager.current()).toEqual(tokens);
    expect(counting.tokenCalls()).toBe(0);

    now = Date.parse(tokens.expiresAt!) - 60_000;
    const [a, b] = await Promise.all([manager.current(), manager.session()]);
    expect(counting.tokenCalls()).toBe(1);
    expect(a!.accessToken).not.toBe(tokens.accessToken);
    expect(a!.refreshToken).not.toBe(tokens.refreshToken);
    expect(b).toEqual({ accessToken: a!.accessToken, organizationId: 'org-personal' });
    expect(JSON.parse(secrets.entries().get(loginTokensAccount('cloud'))!)).toMatchObject({
      accessToken: a!.accessToken,
      refreshToken: a!.refreshToken,
      issuer,
      clientId: CLIENT_ID,
    });
    expect(await requestJson(`${issuer}/me`, { headers: { authorization: `Bearer ${a!.accessToken}` } })).toEqual({ sub: 'alice' });

    // The rotated-out refresh token is spent: the provider refuses it.
    await expect(
      requestJson(`${issuer}/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken!, client_id: CLIENT_ID }),
      }),
    ).rejects.toMatchObject({ status: 400, code: 'invalid_grant' });
  });

  it('asks to sign in again (and forgets the tokens) when the refresh token is refused', async () => {
    const tokens = await signedIn();
    const secrets = createMemorySecretStore();
    const store = keychainTokenStore(secrets, 'cloud');
    const manager = createTokenManager({ store, now: () => Date.now() });
    await manager.save({ ...tokens, refreshToken: 'revoked-or-made-up', expiresAt: new Date(Date.now() + 1_000).toISOString() });
    const error = await manager.current().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SignInRequiredError);
    expect((error as Error).message).toMatch(/expired or was revoked \(invalid_grant\): sign in again/);
    expect(await store.get()).toBeNull();
    expect(await manager.session()).toBeNull();
  });

  it('keeps the current token when the provider cannot be reached and it has not expired yet', async () => {
    const tokens = await signedIn();
    const store = keychainTokenStore(createMemorySecretStore(), 'cloud');
    const manager = createTokenManager({ store, tokenEndpoint: async () => 'http://127.0.0.1:1/token' });
    const soon = { ...tokens, expiresAt: new Date(Date.now() + 60_000).toISOString() };
    await manager.save(soon);
    expect(await manager.current()).toEqual(soon);
  });

  it('signs out by clearing the stored tokens', async () => {
    const secrets = createMemorySecretStore({ 'api-key/cloud': 'key-stays' });
    const store = keychainTokenStore(secrets, 'cloud');
    const manager = createTokenManager({ store });
    await manager.save(await signedIn());
    await manager.signOut();
    expect(await manager.current()).toBeNull();
    expect([...secrets.entries().keys()]).toEqual(['api-key/cloud']);
  });

  it('signInProfile keeps the tokens in the keychain entry of the profile and tells the user the address', async () => {
    const secrets = createMemorySecretStore({ 'api-key/cloud': 'key-stays' });
    const told: string[] = [];
    const result = await signInProfile({ profile: 'cloud', apiUrl, secrets, openBrowser: browser().open, tell: (line) => told.push(line) });
    expect(result.organizationId).toBe('org-personal');
    const stored = JSON.parse(secrets.entries().get(loginTokensAccount('cloud'))!);
    expect(stored).toMatchObject({ issuer, clientId: CLIENT_ID, organizationId: 'org-personal', expiresAt: result.expiresAt });
    expect(secrets.entries().get('api-key/cloud')).toBe('key-stays');
    expect(told[0]).toMatch(
      /^Opening your browser to sign in to Daytona\. If it does not open, visit:\n {2}http:\/\/127\.0\.0\.1:\d+\/auth\?/,
    );
  });
});

const keyringSkip = keyringSkipReason();

describe(
  'daytona-tray login --browser (the built CLI, the real Secret Service, the stand-in browser as xdg-open)',
  skipWhen(keyringSkip, 'keyring'),
  () => {
    let home: Awaited<ReturnType<typeof tempDir>>;
    let keyring: TestKeyring;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      home = await tempDir('daytona-tray-login-browser-');
      keyring = await startTestKeyring({ parentDir: home.path });
      // The CLI opens the system browser with xdg-open: here that is the stand-in, run by this Node.
      const bin = join(home.path, 'bin');
      await mkdir(bin);
      const standIn = fileURLToPath(new URL('../helpers/browser-stand-in-cli.ts', import.meta.url));
      await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\nexec '${process.execPath}' '${standIn}' "$1"\n`, { mode: 0o755 });
      env = keyringEnv(keyring, {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: home.path,
        DAYTONA_TRAY_HOME: join(home.path, 'app'),
        TEST_OIDC_ISSUER: issuer,
      });
    });
    afterAll(async () => {
      await keyring?.stop();
      await home?.cleanup();
    });

    it('signs in through the browser, keeps the tokens in the keychain, saves the profile, and says an API key is still needed', async () => {
      const result = await runCliToExit(['login', '--browser', '--api-url', apiUrl], env, { timeoutMs: 45_000 });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/Opening your browser to sign in to Daytona/);
      expect(result.stdout).toContain(`Signed in to ${apiUrl} (organization org-personal)`);
      expect(result.stdout).toContain("The MCP server still needs an API key for this profile: run 'daytona-tray login --profile cloud'");

      const stored = JSON.parse((await keyring.lookup({ service: KEYCHAIN_SERVICE, username: loginTokensAccount('cloud') }))!);
      expect(stored).toMatchObject({ issuer, clientId: CLIENT_ID, organizationId: 'org-personal' });
      const settings = JSON.parse(await readFile(join(home.path, 'app', 'settings.json'), 'utf8'));
      expect(settings.profiles.cloud).toMatchObject({ kind: 'cloud', apiUrl });
      // The tokens went to the keychain only: no file under HOME holds the access token.
      for (const file of await filesUnder(home.path)) {
        expect((await readFile(file)).includes(stored.accessToken), file).toBe(false);
      }
    });
  },
);
