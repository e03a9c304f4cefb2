import { describe, expect, it } from 'vitest';
import { AppError, CodedError } from '../../main/core/app-error.ts';
import { SignInRequiredError } from '../../main/core/auth/token-manager.ts';
import { DataDirError } from '../../main/core/data-dir.ts';
import { ProfileError } from '../../main/core/profile.ts';
import { SecretStoreError } from '../../main/core/secrets/secret-store.ts';
import { ToolFailure } from '../../main/mcp/errors.ts';

// Logs print `name: message`, and the watcher and the MCP server tell errors apart by name: each must carry its own.
describe('the one error base (main/core/app-error.ts)', () => {
  it("names each error after its own class, keeps its message, fields and cause, and prints as 'Name: message'", () => {
    const cause = new Error('ENOENT');
    const profile = new ProfileError('no-api-key', 'No key stored for profile cloud: run daytona-tray login.');
    const secret = new SecretStoreError('locked', 'The keychain is locked: unlock it, then retry.', 'org.freedesktop.Secret: locked');
    const errors = [
      profile,
      secret,
      new SignInRequiredError('Sign in again.'),
      new DataDirError('/x', 'bad'),
      new ToolFailure('failed', 'oops'),
    ];
    expect(errors.map((error) => error.name)).toEqual([
      'ProfileError',
      'SecretStoreError',
      'SignInRequiredError',
      'DataDirError',
      'ToolFailure',
    ]);
    expect(errors.every((error) => error instanceof AppError)).toBe(true);
    expect(String(profile)).toBe('ProfileError: No key stored for profile cloud: run daytona-tray login.');
    expect([profile.code, secret.code, secret.detail]).toEqual(['no-api-key', 'locked', 'org.freedesktop.Secret: locked']);
    expect(new CodedError('x', 'with a cause', { cause }).cause).toBe(cause);
  });
});
