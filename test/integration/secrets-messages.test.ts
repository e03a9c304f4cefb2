import { describe, expect, it } from 'vitest';
import { classifyKeychainFailure, secretStoreErrorMessage } from '../../main/core/secrets/secret-store.ts';

// What @napi-rs/keyring 2.1.2 says in each failure mode (measured against gnome-keyring 42.1
// while writing keyring-secret-store.ts; the scenarios are in docs/keychain.md).
describe('keychain failures, as the library words them', () => {
  it.each([
    [
      'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead',
      'no-secret-service',
    ],
    ['Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files', 'no-secret-service'],
    ['zbus error: org.freedesktop.DBus.Error.ServiceUnknown: The name is not activatable', 'no-secret-service'],
    ["Couldn't access platform storage: Secret Service: unlock prompt was dismissed", 'locked'],
    ['zbus error: org.freedesktop.Secret.Error.IsLocked: Cannot get secret of a locked object', 'locked'],
    ["Couldn't access platform storage: Secret Service: no result found", 'no-keyring'],
    [
      'Platform failure: DBus error: Did not receive a reply. Possible causes include: the remote application did not send a reply',
      'timeout',
    ],
    ['Something else entirely', 'failed'],
  ])('%s -> %s', (detail, code) => {
    expect(classifyKeychainFailure(detail)).toBe(code);
  });

  it('says what to do, per platform', () => {
    expect(secretStoreErrorMessage('timeout', 'linux', 5_000)).toMatch(
      /^The Secret Service keyring did not answer within 5 s\. .*unlock your login keyring/,
    );
    expect(secretStoreErrorMessage('timeout', 'darwin', 5_000)).toMatch(
      /^The macOS Keychain did not answer within 5 s\. .*answer the prompt/,
    );
    expect(secretStoreErrorMessage('locked', 'win32')).toMatch(/^The Windows Credential Manager is locked\. Unlock it/);
    expect(secretStoreErrorMessage('no-secret-service', 'linux')).toMatch(/does not fall back to a file or to the kernel keyring/);
  });
});
