import { CodedError } from '../app-error.ts';

/**
 * The port every secret goes through: API keys and login tokens live in the OS keychain and nowhere else
 * (not in settings, logs, argv or error messages). Accounts are plain names chosen by profile-secrets.ts.
 */
export interface SecretStore {
  /** The stored secret, or null when there is none. */
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True when something was removed, false when nothing was stored. */
  delete(account: string): Promise<boolean>;
}

/**
 * - `timeout`: the keychain did not answer in time (typically waiting at an unlock prompt).
 * - `no-secret-service`: Linux has no Secret Service (no session bus, or nothing provides org.freedesktop.secrets).
 * - `locked`: the keyring is locked and could not be unlocked (no prompt could be shown, or it was dismissed).
 * - `no-keyring`: the Secret Service has no default keyring to store into.
 * - `failed`: anything else the keychain reported.
 */
export type SecretStoreErrorCode = 'timeout' | 'no-secret-service' | 'locked' | 'no-keyring' | 'failed';

/** A keychain failure whose message says what to do next. It never contains the secret. */
export class SecretStoreError extends CodedError<SecretStoreErrorCode> {
  /** What the keychain itself said (already redacted), for logs and bug reports. */
  readonly detail: string | undefined;

  constructor(code: SecretStoreErrorCode, message: string, detail?: string) {
    super(code, message);
    this.detail = detail;
  }
}

const NO_FALLBACK = 'Daytona Tray keeps API keys only in the OS keychain: it does not fall back to a file or to the kernel keyring.';

/** The advice for each failure, worded for the platform the user is on. */
export function secretStoreErrorMessage(code: SecretStoreErrorCode, platform: NodeJS.Platform, timeoutMs = 0): string {
  const keychain =
    platform === 'darwin' ? 'the macOS Keychain' : platform === 'win32' ? 'the Windows Credential Manager' : 'the Secret Service keyring';
  switch (code) {
    case 'timeout':
      return (
        `${capitalize(keychain)} did not answer ${timeoutMs > 0 ? `within ${Math.round(timeoutMs / 100) / 10} s` : 'in time'}. ` +
        (platform === 'linux'
          ? 'It is probably locked and waiting at an unlock prompt: unlock your login keyring (the prompt, or Passwords and Keys / KWallet), then try again.'
          : 'It may be waiting for you to allow access or unlock it: answer the prompt, then try again.')
      );
    case 'no-secret-service':
      return (
        'No Secret Service is running in this session, so there is nowhere safe to keep the API key. ' +
        `${NO_FALLBACK} Start one (gnome-keyring, KWallet or KeePassXC with Secret Service integration) in your desktop session, ` +
        "then try again; or use the local provider, which needs no key: 'daytona-tray login --profile local'."
      );
    case 'locked':
      return `${capitalize(keychain)} is locked. Unlock it (log in to your desktop session, or unlock the login keyring in Passwords and Keys / KWallet), then try again.`;
    case 'no-keyring':
      return (
        'The Secret Service has no default keyring to store the key in. Create one and make it the default ' +
        '(Passwords and Keys: + > Password keyring; or log in to a desktop session, which creates the login keyring), then try again.'
      );
    case 'failed':
      return `${capitalize(keychain)} refused the request. Check that it is unlocked and that this app may use it, then try again.`;
  }
}

/**
 * Maps what the keychain library said to one of our codes. The strings are those of @napi-rs/keyring 2.1.2
 * (keyring-rs over D-Bus), measured against gnome-keyring 42 in each failure mode.
 */
export function classifyKeychainFailure(detail: string): SecretStoreErrorCode {
  if (
    /DBUS_SESSION_BUS_ADDRESS|autolaunch|ServiceUnknown|not provided by any \.service files|NameHasNoOwner|Failed to connect to (socket|address)|Could not connect/i.test(
      detail,
    )
  ) {
    return 'no-secret-service';
  }
  if (/Did not receive a reply|NoReply|timed? ?out/i.test(detail)) return 'timeout';
  if (/locked|IsLocked|prompt was dismissed|unlock/i.test(detail)) return 'locked';
  if (/no result found|no such object|collection.*(not exist|missing)|Object does not exist/i.test(detail)) return 'no-keyring';
  return 'failed';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
