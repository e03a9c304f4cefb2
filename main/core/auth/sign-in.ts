import { z } from 'zod';
import type { LoginTokens } from '../secrets/profile-secrets.ts';
import { fetchOrganizations, pickOrganization } from '../billing/organizations.ts';
import { createDaytonaApi } from '../daytona-api/daytona-api.ts';
import { HttpError, NetworkError } from '../http/http-errors.ts';
import { requestJson, type FetchLike } from '../http/request-json.ts';
import { fetchDaytonaConfig } from '../daytona-config.ts';
import { SignInError, startCallbackServer } from './loopback-callback.ts';
import { resolveOidcClient, SignInUnavailableError, type OidcClient, type OidcOverrides } from './oidc-client.ts';
import { createPkce, createState } from './pkce.ts';

export { SignInError } from './loopback-callback.ts';

export interface SignInOptions {
  /** The profile's Daytona API URL; its /config names the identity provider. */
  apiUrl: string;
  overrides?: OidcOverrides;
  /** Opens the system browser (the shell: shell.openExternal; the CLI: open-browser.ts). */
  openBrowser: (url: string) => void | Promise<void>;
  /** How long to wait for the browser to come back (default 5 min). */
  timeoutMs?: number;
  signal?: AbortSignal;
  fetch?: FetchLike;
  now?: () => number;
  /**
   * Ask the authorize endpoint once ourselves before opening the browser, so a provider that refuses our
   * client or redirect is reported here with its own words, not only on a page in the browser. Default on.
   */
  preflight?: boolean;
  log?: (line: string) => void;
}

const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().optional().catch(undefined),
  token_type: z.string().optional(),
  /** WorkOS answers with the organization the user signed in to. */
  organization_id: z.string().min(1).nullish(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

const KEEP_USING_KEY = 'Daytona Tray keeps working with your API key; the balance shows "sign in to see balance".';

/**
 * "Sign in with Daytona": OIDC authorization code + PKCE (S256) with `state`, in the system browser,
 * redirected to a one-shot loopback server (docs/daytona-api.md §10). Returns the tokens and the
 * organization to store in the keychain; it stores nothing itself.
 */
export async function signInWithBrowser(options: SignInOptions): Promise<LoginTokens> {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const call = { ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  let accessToken: string | undefined;
  // /config is public; /organizations is asked with the token this sign-in gets.
  const api = createDaytonaApi({
    apiUrl,
    credentials: () => (accessToken ? { token: accessToken } : Promise.reject(new Error('Not signed in yet.'))),
  });
  let client: OidcClient;
  try {
    client = await resolveOidcClient(
      await fetchDaytonaConfig(api, options.signal ? { signal: options.signal } : {}),
      options.overrides,
      call,
    );
  } catch (error) {
    api.close();
    if (error instanceof SignInUnavailableError) throw new SignInError('unavailable', `${error.message} ${KEEP_USING_KEY}`);
    throw new SignInError('unavailable', `Could not start sign-in: ${(error as Error).message} ${KEEP_USING_KEY}`);
  }

  const pkce = createPkce();
  const state = createState();
  const server = await startCallbackServer({
    expectedState: state,
    ...(options.overrides?.redirectHost ? { redirectHost: options.overrides.redirectHost } : {}),
    ...(options.overrides?.redirectPort ? { port: options.overrides.redirectPort } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    const authorizeUrl = new URL(client.authorizationEndpoint);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: server.redirectUri,
      state,
      code_challenge: pkce.challenge,
      code_challenge_method: pkce.method,
      ...client.extraParams,
    };
    if (client.scope) {
      params.scope = client.scope;
      // OIDC Core §11: offline access (a refresh token) is granted with prompt=consent.
      if (client.scope.split(' ').includes('offline_access') && client.provider !== 'workos') params.prompt = 'consent';
    }
    for (const [key, value] of Object.entries(params)) authorizeUrl.searchParams.set(key, value);

    if (options.preflight !== false) await preflight(authorizeUrl.href, server.redirectUri, options.fetch ?? fetch);
    options.log?.(`opening the browser at ${client.authorizationEndpoint}`);
    await options.openBrowser(authorizeUrl.href);
    const { code } = await server.result;

    const tokens = await exchangeCode(client, { code, redirectUri: server.redirectUri, verifier: pkce.verifier }, call);
    const expiresAt = expiryOf(tokens, now());
    let organizationId = tokens.organization_id ?? undefined;
    accessToken = tokens.access_token;
    try {
      const organization = pickOrganization(
        await fetchOrganizations(api, options.signal ? { signal: options.signal } : {}),
        organizationId,
      );
      organizationId = organization?.id ?? organizationId;
    } catch (error) {
      // Signed in all the same; the balance says what is missing until the next refresh finds it.
      options.log?.(`signed in, but could not list organizations: ${(error as Error).message}`);
    }
    return {
      accessToken: tokens.access_token,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      ...(expiresAt ? { expiresAt } : {}),
      ...(organizationId ? { organizationId } : {}),
      issuer: client.issuer,
      clientId: client.clientId,
    };
  } catch (error) {
    if (error instanceof SignInError && error.code !== 'cancelled' && error.code !== 'state-mismatch') {
      throw new SignInError(error.code, `${error.message} ${KEEP_USING_KEY}`);
    }
    throw error;
  } finally {
    api.close();
    await server.close();
  }
}

/** Token request with the client id in the body and no secret: Daytona's CLI client is public. */
export async function exchangeCode(
  client: Pick<OidcClient, 'tokenEndpoint' | 'clientId'>,
  grant: { code: string; redirectUri: string; verifier: string },
  options: { fetch?: FetchLike; signal?: AbortSignal } = {},
): Promise<TokenResponse> {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: grant.code,
    redirect_uri: grant.redirectUri,
    client_id: client.clientId,
    code_verifier: grant.verifier,
  });
  try {
    return tokenResponseSchema.parse(await requestJson(client.tokenEndpoint, { method: 'POST', body, timeoutMs: 15_000, ...options }));
  } catch (error) {
    const reason =
      error instanceof HttpError || error instanceof NetworkError
        ? error.message
        : `an answer without an access token (${(error as Error).message})`;
    throw new SignInError('token-exchange', `The sign-in provider did not issue tokens: ${reason}.`);
  }
}

/** From `expires_in`, else the access token's own `exp` claim (WorkOS sends no expires_in). */
export function expiryOf(tokens: Pick<TokenResponse, 'access_token' | 'expires_in'>, now: number): string | undefined {
  if (tokens.expires_in) return new Date(now + tokens.expires_in * 1000).toISOString();
  const exp = jwtExpiry(tokens.access_token);
  return exp === undefined ? undefined : new Date(exp * 1000).toISOString();
}

function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Loads the authorize URL without a browser. A provider that refuses the client id or the redirect URI
 * answers with an error page (4xx), or redirects back with `error`; either way we can show its reason in
 * the app. A login page (2xx, or a redirect elsewhere) means the browser can take over.
 */
async function preflight(url: string, redirectUri: string, doFetch: FetchLike): Promise<void> {
  let response: Response;
  try {
    response = await doFetch(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
      headers: { accept: 'text/html,application/json' },
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new SignInError('unavailable', `Could not reach the sign-in provider at ${new URL(url).origin} (${cause}).`);
  }
  const text = await response.text().catch(() => '');
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get('location');
    if (!location) return;
    const target = new URL(location, url);
    const error = target.searchParams.get('error');
    // Back to our own redirect with an error, or to the provider's error page: a refusal either way.
    if (error && (target.href.startsWith(redirectUri) || /error/i.test(target.pathname))) {
      throw rejected([error, target.searchParams.get('error_description')].filter(Boolean).join(': '));
    }
    return;
  }
  if (response.status >= 400) throw rejected(reasonFromPage(text) || `HTTP ${response.status}`);
}

function rejected(reason: string): SignInError {
  return new SignInError('provider-rejected', `Daytona's sign-in provider refused this app: ${reason}.`);
}

/** The provider's reason from a JSON error or an HTML error page (`error: …`, `error_description: …`). */
export function reasonFromPage(body: string): string {
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const parts = [json.error, json.error_description ?? json.message].filter((part): part is string => typeof part === 'string');
    if (parts.length) return parts.join(': ');
  } catch {
    // Not JSON: an HTML page.
  }
  const text = body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  const error = /\berror\s*[:=]\s*([a-z_]+)/i.exec(text)?.[1];
  const description = /\berror_description\s*[:=]\s*(.+?)(?=\s+\w+\s*[:=]|$)/i.exec(text)?.[1];
  if (error || description) return [error, description].filter(Boolean).join(': ');
  return text.slice(0, 300);
}
