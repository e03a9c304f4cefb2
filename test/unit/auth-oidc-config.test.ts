import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daytonaConfigSchema } from '../../main/core/daytona-config.ts';
import { browserCommand } from '../../main/core/auth/open-browser.ts';
import { resolveOidcClient, SignInUnavailableError, tokenEndpointFor } from '../../main/core/auth/oidc-client.ts';
import { createPkce, s256 } from '../../main/core/auth/pkce.ts';
import { expiryOf, reasonFromPage } from '../../main/core/auth/sign-in.ts';

const config = (oidc: unknown) => daytonaConfigSchema.parse({ version: '0.216.2', oidc });

describe('resolveOidcClient', () => {
  it("uses WorkOS the way Daytona's CLI does: the CLI application, endpoints on the issuer host, provider=authkit, no scopes", async () => {
    const client = await resolveOidcClient(
      config({
        issuer: 'https://auth.example.com/user_management/client_dashboard',
        clientId: 'client_dashboard',
        provider: 'workos',
        cli: { issuer: 'https://auth.example.com/user_management/client_cli', clientId: 'client_cli' },
      }),
    );
    expect(client).toEqual({
      provider: 'workos',
      issuer: 'https://auth.example.com/user_management/client_cli',
      clientId: 'client_cli',
      authorizationEndpoint: 'https://auth.example.com/user_management/authorize',
      tokenEndpoint: 'https://auth.example.com/user_management/authenticate',
      scope: '',
      extraParams: { provider: 'authkit' },
    });
  });

  it('falls back to the dashboard application when no CLI one is advertised', async () => {
    const client = await resolveOidcClient(
      config({ issuer: 'https://auth.example.com/user_management/client_d', clientId: 'client_d', provider: 'workos' }),
    );
    expect(client.clientId).toBe('client_d');
  });

  it('refuses a non-https issuer unless it is on loopback', async () => {
    await expect(
      resolveOidcClient(config({ issuer: 'http://auth.example.com/user_management/c', clientId: 'c', provider: 'workos' })),
    ).rejects.toThrow(/not https/);
  });

  it('says what to do when /config names no provider (self-hosted without sign-in, or the local provider)', async () => {
    const error = await resolveOidcClient(daytonaConfigSchema.parse({ version: 'local', localProvider: { minuteMs: 60_000 } })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SignInUnavailableError);
    expect((error as Error).message).toMatch(/Settings > Sign-in.*keep using the API key/);
  });

  describe('Auth0 / standard OIDC through discovery', () => {
    let server: Server;
    let issuer: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        res.writeHead(req.url === '/tenant/.well-known/openid-configuration' ? 200 : 404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ issuer: `${issuer}/`, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/oauth/token` }),
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tenant`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('reads the endpoints from discovery and sends the audience', async () => {
      const client = await resolveOidcClient(
        config({ issuer: `${issuer}/`, clientId: 'abc', audience: 'https://api.daytona', provider: 'auth0' }),
      );
      expect(client).toEqual({
        provider: 'auth0',
        issuer: `${issuer}/`,
        clientId: 'abc',
        authorizationEndpoint: `${issuer}/authorize`,
        tokenEndpoint: `${issuer}/oauth/token`,
        scope: 'openid offline_access profile',
        extraParams: { audience: 'https://api.daytona' },
      });
      expect(await tokenEndpointFor(`${issuer}/`)).toBe(`${issuer}/oauth/token`);
    });

    it('lets settings override issuer, client id, audience and scope (self-hosted Daytona)', async () => {
      const client = await resolveOidcClient(config({ issuer: 'https://elsewhere.example', clientId: 'theirs' }), {
        issuer,
        clientId: 'mine',
        audience: 'aud',
        scope: 'openid',
      });
      expect(client).toMatchObject({ provider: 'oidc', clientId: 'mine', scope: 'openid', extraParams: { audience: 'aud' } });
    });

    it('explains an issuer without discovery', async () => {
      await expect(resolveOidcClient(config({ issuer: `${issuer}/nothing-here`, clientId: 'x' }))).rejects.toThrow(/discovery document/);
    });
  });

  it('refreshes WorkOS tokens at the issuer host', async () => {
    expect(await tokenEndpointFor('https://auth.example.com/user_management/client_cli')).toBe(
      'https://auth.example.com/user_management/authenticate',
    );
  });
});

describe('PKCE', () => {
  it('matches the RFC 7636 appendix B example', () => {
    expect(s256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
  it('makes a fresh 43-character verifier each time', () => {
    const a = createPkce();
    const b = createPkce();
    expect(a.verifier).toMatch(/^[\w-]{43}$/);
    expect(a.verifier).not.toBe(b.verifier);
    expect(a.challenge).toBe(s256(a.verifier));
  });
});

describe('token expiry', () => {
  it('uses expires_in, else the JWT exp claim (WorkOS), else none', () => {
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    expect(expiryOf({ access_token: 'opaque', expires_in: 3600 }, now)).toBe('2026-01-01T01:00:00.000Z');
    const jwt = ['e30', Buffer.from(JSON.stringify({ exp: now / 1000 + 300 })).toString('base64url'), 'sig'].join('.');
    expect(expiryOf({ access_token: jwt }, now)).toBe('2026-01-01T00:05:00.000Z');
    expect(expiryOf({ access_token: 'opaque' }, now)).toBeUndefined();
  });
});

describe('reasonFromPage', () => {
  it.each([
    [
      'a JSON error',
      '{"error":"unauthorized_client","error_description":"Callback URL mismatch."}',
      'unauthorized_client: Callback URL mismatch.',
    ],
    [
      'an HTML page with error fields',
      '<html><h1>oops</h1><pre><strong>error</strong>: invalid_client</pre><pre><strong>error_description</strong>: client is invalid</pre></html>',
      'invalid_client: client is invalid',
    ],
    ['a plain page', '<html><head><style>p{}</style></head><body><p>Something &amp; else</p></body></html>', 'Something & else'],
  ])('%s', (_name, body, reason) => {
    expect(reasonFromPage(body)).toBe(reason);
  });
});

describe('browserCommand', () => {
  it.each([
    ['linux', 'xdg-open', ['https://x.example/a?b=1&c=2']],
    ['darwin', 'open', ['https://x.example/a?b=1&c=2']],
    ['win32', 'rundll32', ['url.dll,FileProtocolHandler', 'https://x.example/a?b=1&c=2']],
  ] as const)('%s', (platform, command, args) => {
    expect(browserCommand('https://x.example/a?b=1&c=2', platform)).toEqual({ command, args });
  });
  it('opens only http(s) URLs', () => {
    expect(() => browserCommand('file:///etc/passwd', 'linux')).toThrow(/only http\(s\)/);
  });
});
