import { z } from 'zod';
import type { SecretStore } from './secret-store.ts';

/**
 * What each profile keeps in the keychain: one entry for its API key, and one for the login tokens that
 * "Sign in with Daytona" will give (access/refresh token, expiry, organization), stored as one JSON entry so
 * a token refresh replaces all of it at once.
 */
export const apiKeyAccount = (profile: string): string => `api-key/${profile}`;
export const loginTokensAccount = (profile: string): string => `login-tokens/${profile}`;

export const loginTokensSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  /** ISO 8601. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  organizationId: z.string().min(1).optional(),
  /** The issuer that minted the tokens, so a refresh goes back to it (Daytona has used Auth0 and WorkOS). */
  issuer: z.string().min(1).optional(),
  clientId: z.string().min(1).optional(),
});
export type LoginTokens = z.infer<typeof loginTokensSchema>;

export function readApiKey(store: SecretStore, profile: string): Promise<string | null> {
  return store.get(apiKeyAccount(profile));
}

export function writeApiKey(store: SecretStore, profile: string, apiKey: string): Promise<void> {
  return store.set(apiKeyAccount(profile), apiKey);
}

/** Null when none are stored, or when the entry is unreadable (a sign-in replaces it). */
export async function readLoginTokens(store: SecretStore, profile: string): Promise<LoginTokens | null> {
  const raw = await store.get(loginTokensAccount(profile));
  if (raw === null) return null;
  try {
    return loginTokensSchema.parse(JSON.parse(raw));
  } catch {
    return null;
  }
}

export function writeLoginTokens(store: SecretStore, profile: string, tokens: LoginTokens): Promise<void> {
  return store.set(loginTokensAccount(profile), JSON.stringify(loginTokensSchema.parse(tokens)));
}

/** Removes the profile's API key and login tokens; returns which of them were there. */
export async function deleteProfileSecrets(store: SecretStore, profile: string): Promise<{ apiKey: boolean; loginTokens: boolean }> {
  const apiKey = await store.delete(apiKeyAccount(profile));
  const loginTokens = await store.delete(loginTokensAccount(profile));
  return { apiKey, loginTokens };
}
