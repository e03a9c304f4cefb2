import { randomBytes } from 'node:crypto';

/** A preview address as the proxy reads it from a Host name: `<port>-<sandbox id or signed token>.localhost`. */
export interface PreviewTarget {
  port: number;
  /** A sandbox id, or a signed URL's token. */
  label: string;
}

interface SignedLink {
  sandboxId: string;
  port: number;
  expiresAt: number;
}

/** The longest a signed preview URL may live, as on Daytona (24 h). */
export const MAX_SIGNED_SECONDS = 86_400;

/**
 * Preview URLs of the local provider's proxy and the signed ones it has handed out. Signed tokens live in
 * memory only: a provider restart invalidates them, like an expiry (ask for a new URL).
 */
export class PreviewLinks {
  private readonly signed = new Map<string, SignedLink>();
  private readonly proxyPort: () => number;
  private readonly now: () => number;

  constructor(proxyPort: () => number, now: () => number = Date.now) {
    this.proxyPort = proxyPort;
    this.now = now;
  }

  /** `http://<port>-<sandboxId>.localhost:<proxy port>`: names under .localhost resolve to loopback (RFC 6761). */
  url(label: string, port: number): string {
    return `http://${port}-${label}.localhost:${this.proxyPort()}`;
  }

  /** A URL that opens the port without the preview token header until `expiresInSeconds` from now. */
  sign(sandboxId: string, port: number, expiresInSeconds: number): { token: string; url: string } {
    this.prune();
    // Hex: a Host name is case-insensitive, and the label must stay within 63 characters.
    const token = randomBytes(16).toString('hex');
    this.signed.set(token, { sandboxId, port, expiresAt: this.now() + expiresInSeconds * 1000 });
    return { token, url: this.url(token, port) };
  }

  /** Ends a signed URL before its time (the SDK's expireSignedPreviewUrl). */
  expire(sandboxId: string, port: number, token: string): boolean {
    const link = this.signed.get(token);
    if (!link || link.sandboxId !== sandboxId || link.port !== port) return false;
    this.signed.delete(token);
    return true;
  }

  /** What a signed token opens: the sandbox, 'expired', or undefined when it was never handed out (or pruned). */
  resolveSigned(token: string, port: number): { sandboxId: string } | 'expired' | undefined {
    const link = this.signed.get(token);
    if (!link || link.port !== port) return undefined;
    if (link.expiresAt <= this.now()) return 'expired';
    return { sandboxId: link.sandboxId };
  }

  /** Forgets tokens expired for over an hour (until then they answer "expired", not "unknown"). */
  private prune(): void {
    const cutoff = this.now() - 3_600_000;
    for (const [token, link] of this.signed) if (link.expiresAt < cutoff) this.signed.delete(token);
  }
}

/** The target named by a request's Host header, or undefined when it is not a preview name. */
export function parsePreviewHost(host: string | undefined): PreviewTarget | undefined {
  const match = /^(\d{1,5})-([a-z0-9-]{1,58})\.localhost(?::\d{1,5})?$/.exec((host ?? '').toLowerCase());
  if (!match) return undefined;
  const port = Number(match[1]);
  if (port < 1 || port > 65535) return undefined;
  return { port, label: match[2]! };
}
