import { createHash, randomBytes } from 'node:crypto';

/** RFC 7636: a 43-character verifier from 32 random bytes, and its S256 challenge. */
export function createPkce(): { verifier: string; challenge: string; method: 'S256' } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256(verifier), method: 'S256' };
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** An unguessable `state` that ties the callback to this sign-in (CSRF). */
export function createState(): string {
  return randomBytes(32).toString('base64url');
}
