import { networkInterfaces } from 'node:os';

/** This machine's first non-loopback IPv4 address (a "remote" host a test can still reach), if it has one. */
export function externalIPv4(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
}
