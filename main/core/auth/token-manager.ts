import { z } from 'zod';
import { loginTokensAccount, readLoginTokens, writeLoginTokens, type LoginTokens } from '../secrets/profile-secrets.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { HttpError } from '../http/http-errors.ts';
import { requestJson, type FetchLike } from '../http/request-json.ts';
import { tokenEndpointFor } from './oidc-client.ts';
import { expiryOf } from './sign-in.ts';
import { AppError } from '../app-error.ts';

/** Where a profile's login tokens live: the OS keychain (profile-secrets.ts), or memory in tests. */
export interface TokenStore {
  get(): Promise<LoginTokens | null>;
  set(tokens: LoginTokens): Promise<void>;
  delete(): Promise<void>;
}

export function keychainTokenStore(secrets: SecretStore, profile: string): TokenStore {
  return {
    get: () => readLoginTokens(secrets, profile),
    set: (tokens) => writeLoginTokens(secrets, profile, tokens),
    async delete() {
      await secrets.delete(loginTokensAccount(profile));
    },
  };
}

/** Signed out, or the sign-in can no longer be renewed: the user must sign in again. */
export class SignInRequiredError extends AppError {}

/** Refresh this long before expiry, as Daytona's CLI does (docs/daytona-api.md §10). */
export const REFRESH_BEFORE_MS = 5 * 60_000;

const refreshResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().optional().catch(undefined),
});

export interface TokenManagerOptions {
  store: TokenStore;
  fetch?: FetchLike;
  now?: () => number;
  refreshBeforeMs?: number;
  /** Where to refresh tokens minted by `issuer` (default: WorkOS by issuer path, else OIDC discovery). */
  tokenEndpoint?: (issuer: string) => Promise<string>;
  log?: (line: string) => void;
}

export interface TokenManager {
  /** The stored tokens, refreshed first when they expire within 5 min; null when signed out. */
  current(): Promise<LoginTokens | null>;
  /** The billing service's port: the access token and organization, or null when signed out. */
  session(): Promise<{ accessToken: string; organizationId?: string } | null>;
  save(tokens: LoginTokens): Promise<void>;
  /** Refreshes now regardless of expiry (after a 401 from an API). */
  refresh(): Promise<LoginTokens>;
  /** Forgets the tokens (this app's copy; the provider session in the browser is the user's). */
  signOut(): Promise<void>;
}

/**
 * Keeps a profile's login tokens fresh. Refresh tokens rotate (Auth0 and WorkOS both), so a refresh is
 * single-flight, re-reads the store first (the tray and the CLI share the keychain entry: the other may
 * have refreshed already), and stores the new pair before anything uses it. Only `invalid_grant` means
 * "sign in again"; a timeout or 5xx keeps the stored tokens and is retried on the next call.
 */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const now = options.now ?? Date.now;
  const refreshBeforeMs = options.refreshBeforeMs ?? REFRESH_BEFORE_MS;
  const endpointFor =
    options.tokenEndpoint ?? ((issuer: string) => tokenEndpointFor(issuer, options.fetch ? { fetch: options.fetch } : {}));
  let inFlight: Promise<LoginTokens> | undefined;

  const expiresSoon = (tokens: LoginTokens) => tokens.expiresAt !== undefined && Date.parse(tokens.expiresAt) - now() <= refreshBeforeMs;
  const expired = (tokens: LoginTokens) => tokens.expiresAt !== undefined && Date.parse(tokens.expiresAt) <= now();

  async function doRefresh(force: boolean): Promise<LoginTokens> {
    const stored = await options.store.get();
    if (!stored) throw new SignInRequiredError('Not signed in to Daytona: sign in to see the balance.');
    if (!force && !expiresSoon(stored)) return stored;
    if (!stored.refreshToken || !stored.issuer || !stored.clientId) {
      if (!expired(stored) && !force) return stored;
      throw new SignInRequiredError('Your Daytona sign-in expired and cannot be renewed: sign in again.');
    }
    let body: unknown;
    try {
      const endpoint = await endpointFor(stored.issuer);
      body = await requestJson(endpoint, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stored.refreshToken, client_id: stored.clientId }),
        timeoutMs: 15_000,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
    } catch (error) {
      if (error instanceof HttpError && (error.code === 'invalid_grant' || error.status === 401)) {
        await options.store.delete();
        throw new SignInRequiredError(
          `Your Daytona sign-in has expired or was revoked (${error.code ?? error.status}): sign in again. The API key keeps working meanwhile.`,
        );
      }
      options.log?.(`token refresh failed, will retry: ${(error as Error).message}`);
      if (!expired(stored)) return stored;
      throw new Error(`Could not renew the Daytona sign-in (${(error as Error).message}); retrying later.`, { cause: error });
    }
    const parsed = refreshResponseSchema.safeParse(body);
    if (!parsed.success) throw new Error('The sign-in provider answered the refresh without an access token; retrying later.');
    const expiresAt = expiryOf(parsed.data, now());
    const next: LoginTokens = {
      ...stored,
      accessToken: parsed.data.access_token,
      // Rotated: the old one is spent. Kept only when the provider does not rotate.
      refreshToken: parsed.data.refresh_token ?? stored.refreshToken,
    };
    if (expiresAt) next.expiresAt = expiresAt;
    else delete next.expiresAt;
    await options.store.set(next);
    return next;
  }

  let inFlightForced = false;
  function refresh(force: boolean): Promise<LoginTokens> {
    // A forced refresh must not settle for a lazy one already under way (that may return the old token).
    if (inFlight && force && !inFlightForced) return inFlight.catch(() => undefined).then(() => refresh(true));
    if (!inFlight) {
      inFlightForced = force;
      inFlight = doRefresh(force).finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  }

  const manager: TokenManager = {
    async current() {
      const stored = await options.store.get();
      if (!stored) return null;
      if (!expiresSoon(stored)) return stored;
      return refresh(false);
    },
    async session() {
      const tokens = await manager.current();
      return tokens
        ? { accessToken: tokens.accessToken, ...(tokens.organizationId ? { organizationId: tokens.organizationId } : {}) }
        : null;
    },
    save: (tokens) => options.store.set(tokens),
    refresh: () => refresh(true),
    async signOut() {
      await inFlight?.catch(() => {});
      await options.store.delete();
    },
  };
  return manager;
}

/** Signs the profile out everywhere this app keeps its sign-in (not its API key). */
export async function signOutProfile(secrets: SecretStore, profile: string): Promise<void> {
  await keychainTokenStore(secrets, profile).delete();
}
