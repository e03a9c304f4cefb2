import type { SecretStore } from './secret-store.ts';

/**
 * A SecretStore held in memory: the typed double for tests of code that only needs *a* store (the real
 * keychain is tested on its own against a real Secret Service). Never used by the app.
 */
export function createMemorySecretStore(initial: Record<string, string> = {}): SecretStore & { entries(): Map<string, string> } {
  const entries = new Map(Object.entries(initial));
  return {
    async get(account) {
      return entries.get(account) ?? null;
    },
    async set(account, secret) {
      entries.set(account, secret);
    },
    async delete(account) {
      return entries.delete(account);
    },
    entries: () => new Map(entries),
  };
}
