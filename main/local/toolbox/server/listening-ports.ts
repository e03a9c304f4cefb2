/** TCP state LISTEN in /proc/net/tcp and tcp6 (include/net/tcp_states.h). */
const LISTEN = '0A';

/** The TCP ports listened on, from the text of /proc/net/tcp and /proc/net/tcp6 (any address), sorted, once each. */
export function listeningPorts(procNetTcp: string): number[] {
  const ports = new Set<number>();
  for (const line of procNetTcp.split('\n')) {
    // "  0: 0100007F:1F90 00000000:0000 0A ..." — local address:port (hex), remote, state.
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || fields[3] !== LISTEN) continue;
    const port = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
    if (Number.isInteger(port) && port > 0) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}
