import { connect, type Socket } from 'node:net';

/** Why a sandbox on the host's network cannot change its network settings while it runs. */
export const SHARED_NETWORK_CHANGE =
  'this sandbox shares the host network (no network namespace of its own here), so its network settings cannot change while it runs: stop and start it to apply them';

/** A connection to 127.0.0.1:<port> on the host, for sandboxes that share the host's network. */
export function connectHost(port: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
