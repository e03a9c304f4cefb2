import { SignInError } from '../core/auth/loopback-callback.ts';
import { SignInUnavailableError } from '../core/auth/oidc-client.ts';
import { SignInRequiredError } from '../core/auth/token-manager.ts';
import { ClientSetupError } from '../core/clients/types.ts';
import { ProfileError } from '../core/profile.ts';
import { SecretStoreError } from '../core/secrets/secret-store.ts';
import { TerminalError } from '../core/terminal/terminal-launch.ts';
import { failureOf, HttpError, NetworkError } from '../core/http/http-errors.ts';
import type { BridgeError } from '../../preload/contract.ts';

/**
 * A thrown error as the contract's error value. Core errors are already worded for the user (what happened,
 * what to do), so their message crosses as it is, under the code the window keys its UI on. Anything else
 * is a bug: the window gets a generic sentence and the details stay in main's log.
 */
export function toBridgeError(error: unknown): BridgeError {
  if (error instanceof SecretStoreError) return { code: 'keychain', message: error.message };
  if (error instanceof ClientSetupError) return { code: 'client-setup', message: error.message };
  if (error instanceof ProfileError)
    return { code: error.code === 'unknown-profile' ? 'not-found' : 'unsupported', message: error.message };
  if (error instanceof SignInError)
    return { code: error.code === 'cancelled' ? 'cancelled' : error.code === 'timeout' ? 'timeout' : 'failed', message: error.message };
  if (error instanceof SignInUnavailableError) return { code: 'unsupported', message: error.message };
  if (error instanceof TerminalError) return { code: 'unsupported', message: error.message };
  if (error instanceof SignInRequiredError) return { code: 'rejected', message: error.message };
  if (error instanceof NetworkError) return { code: error.timedOut ? 'timeout' : 'unreachable', message: error.message };
  if (error instanceof HttpError) return { code: httpCode(error), message: httpMessage(error) };
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 'failed',
    message: message
      ? `${withStop(message)} Try again; if it keeps failing, the server log (Server view) has details.`
      : 'Something went wrong. Try again.',
  };
}

/** The window's error code for each kind of failure (main/core/http/http-errors.ts decides the kind). */
const CODE_OF_KIND: Partial<Record<ReturnType<typeof failureOf>['kind'], string>> = {
  unauthorized: 'rejected',
  forbidden: 'forbidden',
  'not-found': 'not-found',
  conflict: 'busy',
  timeout: 'timeout',
};

function httpCode(error: HttpError): string {
  return CODE_OF_KIND[failureOf(error).kind] ?? 'failed';
}

function httpMessage(error: HttpError): string {
  switch (error.status) {
    case 401:
      return `Daytona refused the API key (${error.message}). Replace it in Settings.`;
    case 403:
      return `The API key may not do this (${error.message}). Create a key with the needed permissions in the Daytona dashboard.`;
    case 409:
      return `${withStop(error.message)} Wait until the sandbox has finished what it is doing, then try again.`;
    case 429:
      return `Daytona is rate-limiting requests (${error.message}). Wait a minute and try again.`;
    default:
      return error.status >= 500 ? `Daytona had a problem (${error.message}). Try again in a moment.` : withStop(error.message);
  }
}

function withStop(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
