import type { SecretStore } from '../secrets/secret-store.ts';
import type { FetchLike } from '../http/request-json.ts';
import type { OidcOverrides } from './oidc-client.ts';
import { openSystemBrowser } from './open-browser.ts';
import { signInWithBrowser } from './sign-in.ts';
import { keychainTokenStore } from './token-manager.ts';

export interface SignInProfileOptions {
  /** The settings profile the tokens belong to (one keychain entry per profile). */
  profile: string;
  apiUrl: string;
  secrets: SecretStore;
  overrides?: OidcOverrides;
  /** Default: the system browser (the CLI); the tray passes Electron's shell.openExternal. */
  openBrowser?: (url: string) => void | Promise<void>;
  /** Told the address too, for when no browser opens (a remote shell). */
  tell?: (line: string) => void;
  timeoutMs?: number;
  signal?: AbortSignal;
  fetch?: FetchLike;
}

/**
 * `daytona-tray login --browser` and the window's "Sign in with Daytona" button: runs the browser sign-in
 * and keeps the tokens in the OS keychain under the profile. Throws SignInError (worded for the user)
 * when it does not complete; the API key, if any, stays as it was either way.
 */
export async function signInProfile(
  options: SignInProfileOptions,
): Promise<{ organizationId: string | undefined; expiresAt: string | undefined }> {
  const open = options.openBrowser ?? ((url: string) => openSystemBrowser(url));
  const tokens = await signInWithBrowser({
    apiUrl: options.apiUrl,
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    openBrowser: async (url) => {
      options.tell?.(`Opening your browser to sign in to Daytona. If it does not open, visit:\n  ${url}`);
      try {
        await open(url);
      } catch (error) {
        // The address was printed: the user can still open it by hand.
        options.tell?.((error as Error).message);
      }
    },
  });
  await keychainTokenStore(options.secrets, options.profile).set(tokens);
  return { organizationId: tokens.organizationId, expiresAt: tokens.expiresAt };
}
