/*
 * The one redaction of credentials in the codebase (logs, tool messages, git output, keychain errors).
 * Credentials are replaced as whole tokens, never as loose characters: a one-letter password must not turn
 * "unable" into "unabl***".
 */

export const REDACTED = '***';

// Shapes of credentials we may not have been told about.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi;
const BEARER = /(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
const DAYTONA_KEY = /\b(dtn_|dtl_)[A-Za-z0-9_-]{8,}/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Replaces each given secret where it stands as a whole token (not inside a longer word), the userinfo of any
 * URL (`https://user:pass@host` -> `https://***@host`), bearer tokens and Daytona API keys with `***`.
 */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  // Longest first, so a secret inside another (a username inside a password) never leaves a tail behind.
  const ordered = [...new Set([...secrets].filter((secret): secret is string => !!secret))].sort((a, b) => b.length - a.length);
  for (const secret of ordered) {
    out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(secret)}(?![A-Za-z0-9])`, 'g'), REDACTED);
  }
  return out.replace(URL_USERINFO, `$1${REDACTED}@`).replace(BEARER, `$1${REDACTED}`).replace(DAYTONA_KEY, `$1${REDACTED}`);
}
