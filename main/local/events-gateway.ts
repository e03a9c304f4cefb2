import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { tokensEqual } from './auth.ts';
import type { ProviderEventName } from './sandbox-service.ts';

const ORG_ROOM = 'organization:local';

/**
 * Daytona's notification gateway: Socket.IO at {apiUrl}/socket.io/, API key in the handshake's
 * `auth.token`, sandbox events to the organization's room (docs/daytona-api.md §5).
 */
export function createEventsGateway(http: HttpServer, apiKey: string) {
  // destroyUpgrade off: other WebSocket routes (session log streams) share this HTTP server.
  const io = new Server(http, { path: '/api/socket.io/', serveClient: false, cors: { origin: false }, destroyUpgrade: false });
  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token === 'string' && tokensEqual(token, apiKey)) next();
    else next(new Error('Unauthorized: pass the API key as auth.token'));
  });
  io.on('connection', (socket) => {
    void socket.join(ORG_ROOM);
  });
  return {
    io,
    emit(event: ProviderEventName, payload: unknown) {
      io.to(ORG_ROOM).emit(event, payload);
    },
    close: () =>
      new Promise<void>((resolve) => {
        void io.close(() => resolve());
      }),
  };
}
