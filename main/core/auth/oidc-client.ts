import { z } from 'zod';
import { requestJson, type FetchLike } from '../http/request-json.ts';
import type { DaytonaConfig } from '../daytona-config.ts';
import { AppError } from '../app-error.ts';

/**
 * Settings for self-hosted Daytona (or a provider that needs its own client): each field replaces what
 * `GET {apiUrl}/config` advertises.
 */
export interface OidcOverrides {
  issuer?: string;
  clientId?: string;
  audience?: string;
  provider?: 'auth0' | 'workos' | 'oidc';
  /** Space-separated; default "openid offline_access profile" (what Daytona's CLI asks Auth0 for). */
  scope?: string;
  /** The redirect's host: 127.0.0.1 (RFC 8252's advice; default) or localhost. The server binds 127.0.0.1 either way. */
  redirectHost?: '127.0.0.1' | 'localhost';
  /** A fixed callback port, for providers that register one exact redirect URI; default any free port. */
  redirectPort?: number;
}

/** Everything a sign-in needs to talk to the identity provider. */
export interface OidcClient {
  provider: 'auth0' | 'workos' | 'oidc';
  issuer: string;
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** Empty for WorkOS (it takes no scopes). */
  scope: string;
  /** Extra authorize parameters: Auth0's `audience`, WorkOS's `provider=authkit`. */
  extraParams: Record<string, string>;
}

export const DEFAULT_SCOPE = 'openid offline_access profile';

const discoverySchema = z.looseObject({
  issuer: z.string().min(1),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
});

/** The reason sign-in cannot start, worded for the user. */
export class SignInUnavailableError extends AppError {}

/**
 * Picks the identity provider the way Daytona's CLI does (docs/daytona-api.md §10): `oidc.provider`
 * "workos" means WorkOS (the CLI application `oidc.cli` when advertised, endpoints on the issuer's host,
 * no scopes, `provider=authkit`); anything else is standard OIDC with discovery (Auth0 with `audience`).
 */
export async function resolveOidcClient(
  config: DaytonaConfig,
  overrides: OidcOverrides = {},
  options: { fetch?: FetchLike; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<OidcClient> {
  const oidc = config.oidc;
  const provider = overrides.provider ?? (oidc?.provider === 'workos' ? 'workos' : oidc?.provider === 'auth0' ? 'auth0' : 'oidc');
  const workos = provider === 'workos';
  const issuer = overrides.issuer ?? (workos ? (oidc?.cli?.issuer ?? oidc?.issuer) : oidc?.issuer);
  const clientId = overrides.clientId ?? (workos ? (oidc?.cli?.clientId ?? oidc?.clientId) : oidc?.clientId);
  if (!issuer || !clientId) {
    throw new SignInUnavailableError(
      'This Daytona does not advertise a sign-in provider (no oidc issuer/client id in its /config). Set them in Settings > Sign-in for a self-hosted Daytona, or keep using the API key.',
    );
  }
  const issuerUrl = parseUrl(issuer, 'issuer');
  if (issuerUrl.protocol !== 'https:' && !isLoopback(issuerUrl.hostname)) {
    throw new SignInUnavailableError(
      `The sign-in issuer ${issuerUrl.origin} is not https: refusing to send credentials over plain HTTP. Fix the issuer in Settings.`,
    );
  }
  if (workos) {
    // WorkOS issuers look like https://<host>/user_management/<client id>; the endpoints live on the host.
    return {
      provider,
      issuer,
      clientId,
      authorizationEndpoint: `${issuerUrl.origin}/user_management/authorize`,
      tokenEndpoint: `${issuerUrl.origin}/user_management/authenticate`,
      scope: overrides.scope ?? '',
      extraParams: { provider: 'authkit' },
    };
  }
  const discoveryUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let discovered;
  try {
    discovered = discoverySchema.parse(await requestJson(discoveryUrl, { timeoutMs: 10_000, ...options }));
  } catch (error) {
    throw new SignInUnavailableError(
      `Could not read the sign-in provider's discovery document (${discoveryUrl}): ${(error as Error).message}`,
    );
  }
  const audience = overrides.audience ?? oidc?.audience;
  return {
    provider,
    issuer: discovered.issuer,
    clientId,
    authorizationEndpoint: discovered.authorization_endpoint,
    tokenEndpoint: discovered.token_endpoint,
    scope: overrides.scope ?? DEFAULT_SCOPE,
    extraParams: audience ? { audience } : {},
  };
}

/** The token endpoint for tokens minted by `issuer` (a refresh must go back to the issuer that minted them). */
export async function tokenEndpointFor(issuer: string, options: { fetch?: FetchLike; timeoutMs?: number } = {}): Promise<string> {
  const url = parseUrl(issuer, 'issuer');
  if (url.pathname.startsWith('/user_management/')) return `${url.origin}/user_management/authenticate`;
  const discovered = discoverySchema.parse(
    await requestJson(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { timeoutMs: 10_000, ...options }),
  );
  return discovered.token_endpoint;
}

export function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || hostname === '::1';
}

function parseUrl(value: string, what: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new SignInUnavailableError(`The sign-in ${what} '${value}' is not a URL. Fix it in Settings > Sign-in.`);
  }
}
