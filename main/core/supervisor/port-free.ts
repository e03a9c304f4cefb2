import { createServer } from 'node:net';

/**
 * True when nothing listens on 127.0.0.1:`port` (we could bind it). The answer can be stale by the time the
 * child binds; the child then fails with "in use" and the next start takes any free port.
 */
export function loopbackPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}
