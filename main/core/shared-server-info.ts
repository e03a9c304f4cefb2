import { createHmac } from 'node:crypto';

/**
 * What a shared MCP server (`mcp --http --shared`, started by a bridge while no tray ran) answers on
 * GET /server-info?nonce=... with its bearer token, so a tray starting meanwhile can check that it serves what the
 * tray would (profile, account, tool groups) and adopt it instead of replacing it.
 */
export interface SharedServerInfo {
  pid: number;
  /** Open MCP sessions (AI clients' bridges, and the tray's own once it adopted the server). */
  sessions?: number;
  /** The tool groups the server offers (before a client's own choice). */
  groups: string[];
  /** The profile it serves now (it reads settings and keychain as the tray does), or null with the reason. */
  profile: SharedServerProfile | null;
  profileProblem?: string;
  /**
   * On the local profile: where its embedded provider serves and that provider's key, for the tray's watcher and
   * sandbox actions (memory only; the answer needs the token from the runtime file, which already opens every tool).
   */
  local?: { apiUrl: string; apiKey: string };
}

export interface SharedServerProfile {
  name: string;
  kind: 'cloud' | 'local';
  apiUrl?: string;
  target?: string;
  /** keyProof(nonce, apiKey) for a cloud profile: the tray compares its own key's proof without either key travelling. */
  keyProof?: string;
}

/** An HMAC of the API key keyed by the caller's nonce: equal proofs mean equal keys, and a proof reveals no key. */
export function keyProof(nonce: string, apiKey: string): string {
  return createHmac('sha256', nonce).update(apiKey).digest('base64url');
}
