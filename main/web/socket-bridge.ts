import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { IpcMainPort, IpcSender } from '../app/ipc-registry.ts';
import { decodeWire, encodeWire, type MainMessage } from '../../preload/web-wire.ts';

/** A notification as the pages show it (main/web/web-desktop.ts turns a NotificationSpec into this). */
export type PageNotification = Omit<Extract<MainMessage, { t: 'notify' }>, 't'>;

/**
 * The web shell's stand-in for ipcMain and webContents.send: each open page is one WebSocket, admitted by
 * the server after its checks (cookie, Host, Origin). The contract's registry (main/app/ipc-registry.ts)
 * registers its handlers on `port` exactly as on Electron's ipcMain; a socket is the sender, and only a
 * socket that is still open counts as trusted.
 */
export interface SocketBridge {
  port: IpcMainPort;
  isTrusted(sender: IpcSender): boolean;
  /** Takes over an admitted socket; `pageUrl` is the page it serves (http://127.0.0.1:<port>/, for the log). */
  accept(socket: WebSocket, pageUrl: string): void;
  /** Pushes an event to every open page; returns how many got it. */
  broadcast(channel: string, payload: unknown): number;
  notify(notification: PageNotification): number;
  /** A page reported a click on a notification (or on its button `button`). */
  onNotificationClick(listener: (notification: string, button: number | undefined) => void): void;
  /** A page connected (the shell hands it a view it was asked to show while no page was open). */
  onPageOpened(listener: (send: (channel: string, payload: unknown) => void) => void): void;
  /** The number of open pages changed (the app polls less while no window is visible). */
  onPagesChanged(listener: (pages: number) => void): void;
  pages(): number;
  /** Closes every socket (at stop). */
  closeAll(): void;
}

export function createSocketBridge(options: { log(line: string): void }): SocketBridge {
  const handlers = new Map<string, (sender: IpcSender, payload: unknown) => Promise<unknown>>();
  const sockets = new Map<number, WebSocket>();
  const clickListeners: ((notification: string, button: number | undefined) => void)[] = [];
  const openListeners: ((send: (channel: string, payload: unknown) => void) => void)[] = [];
  const countListeners: ((pages: number) => void)[] = [];
  // Tells a page that reconnects whether it found the same app or a new one (whose state starts over).
  const run = randomUUID();
  const counted = () => {
    for (const listener of countListeners) listener(sockets.size);
  };
  let nextId = 1;

  const sendTo = (socket: WebSocket, message: MainMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(encodeWire(message));
  };

  function accept(socket: WebSocket, pageUrl: string): void {
    const id = nextId++;
    sockets.set(id, socket);
    const sender: IpcSender = { webContentsId: id, frameUrl: pageUrl, isMainFrame: true };
    sendTo(socket, { t: 'hello', run });
    socket.on('close', () => {
      if (sockets.delete(id)) counted();
    });
    socket.on('error', (error) => options.log(`a page's socket failed: ${error.message}`));
    socket.on('message', (data, isBinary) => {
      const message = isBinary ? undefined : decodeWire(data.toString());
      if (!message) {
        options.log('dropped a malformed message from a page');
        return;
      }
      if (message.t === 'invoke' && typeof message.id === 'number' && typeof message.channel === 'string') {
        const { id: callId, channel } = message;
        const handler = handlers.get(channel);
        const answer = handler
          ? handler(sender, message.payload)
          : Promise.resolve({
              ok: false,
              error: { code: 'bad-request', message: `There is no '${channel}' in this version of Daytona Tray: reload the page.` },
            });
        void answer.then(
          (result) => sendTo(socket, { t: 'result', id: callId, result }),
          (error: unknown) => options.log(`${channel} threw past the registry: ${(error as Error).message}`),
        );
      } else if (message.t === 'notification-click' && typeof message.notification === 'string') {
        const button = typeof message.button === 'number' && Number.isInteger(message.button) ? message.button : undefined;
        for (const listener of clickListeners) listener(message.notification, button);
      } else {
        options.log(`dropped an unknown message '${message.t}' from a page`);
      }
    });
    for (const listener of openListeners) listener((channel, payload) => sendTo(socket, { t: 'event', channel, payload }));
    counted();
  }

  return {
    port: {
      handle: (channel, listener) => void handlers.set(channel, listener),
      removeHandler: (channel) => void handlers.delete(channel),
    },
    // Admission (cookie, Host, Origin) happened at the upgrade; what is left to check is that the socket is still open.
    isTrusted: (sender) => sockets.has(sender.webContentsId) && sender.isMainFrame,
    accept,
    broadcast(channel, payload) {
      for (const socket of sockets.values()) sendTo(socket, { t: 'event', channel, payload });
      return sockets.size;
    },
    notify(notification) {
      for (const socket of sockets.values()) sendTo(socket, { t: 'notify', ...notification });
      return sockets.size;
    },
    onNotificationClick: (listener) => void clickListeners.push(listener),
    onPageOpened: (listener) => void openListeners.push(listener),
    onPagesChanged: (listener) => void countListeners.push(listener),
    pages: () => sockets.size,
    closeAll() {
      for (const socket of sockets.values()) socket.close(1001, 'Daytona Tray is stopping');
      sockets.clear();
    },
  };
}
