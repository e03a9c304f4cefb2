import { isIPv4 } from 'node:net';
import { badRequest } from './errors.ts';
import type { SandboxRecord } from './sandbox-record.ts';
import type { NetworkPolicy } from './sandbox-runner/index.ts';

/** Daytona caps an allow list at a handful of networks; a longer one is almost certainly a mistake. */
const MAX_ALLOW_LIST = 64;

/**
 * A `networkAllowList` as Daytona takes it (comma-separated IPv4 CIDRs, e.g. "10.0.0.0/8,1.2.3.4/32"),
 * checked and normalized; a bare address counts as /32. Throws a 400 that names the bad entry.
 */
export function parseAllowList(text: string): string[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length > MAX_ALLOW_LIST)
    throw badRequest(`networkAllowList has ${entries.length} networks: at most ${MAX_ALLOW_LIST} are allowed.`);
  return entries.map((entry) => {
    const [address = '', prefix = '32', extra] = entry.split('/');
    const bits = Number(prefix);
    if (extra !== undefined || !isIPv4(address) || !/^\d{1,2}$/.test(prefix) || bits > 32) {
      throw badRequest(
        `Invalid networkAllowList entry '${entry}': use IPv4 networks in CIDR form such as 10.0.0.0/8 or 1.2.3.4/32, separated by commas.`,
      );
    }
    return `${address}/${bits}`;
  });
}

/** Daytona's limit on networkAllowList entries (apps/api/src/sandbox/utils/network-validation.util.ts). */
const DAYTONA_MAX_ALLOW_LIST = 10;

/**
 * A networkAllowList as Daytona's API accepts it at create and update: at most 10 comma-separated IPv4 networks,
 * each with its CIDR prefix (Daytona refuses a bare address, which parseAllowList would read as /32). Throws a 400.
 */
export function validateAllowList(text: string): void {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length > DAYTONA_MAX_ALLOW_LIST) {
    throw badRequest(`Network allow list cannot contain more than ${DAYTONA_MAX_ALLOW_LIST} networks (got ${entries.length}).`);
  }
  for (const entry of entries) {
    if (isIPv4(entry)) {
      throw badRequest(`Invalid network format: "${entry}". Missing CIDR prefix length (e.g., /24): write ${entry}/32 for one address.`);
    }
  }
  parseAllowList(text);
}

/** What a sandbox may reach, from its record. */
export function networkPolicyOf(record: Pick<SandboxRecord, 'networkBlockAll' | 'networkAllowList'>): NetworkPolicy {
  return {
    blockAll: record.networkBlockAll,
    ...(record.networkAllowList !== undefined && record.networkAllowList.trim() !== ''
      ? { allowList: parseAllowList(record.networkAllowList) }
      : {}),
  };
}
