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

/** What a sandbox may reach, from its record. */
export function networkPolicyOf(record: Pick<SandboxRecord, 'networkBlockAll' | 'networkAllowList'>): NetworkPolicy {
  return {
    blockAll: record.networkBlockAll,
    ...(record.networkAllowList !== undefined && record.networkAllowList.trim() !== ''
      ? { allowList: parseAllowList(record.networkAllowList) }
      : {}),
  };
}
