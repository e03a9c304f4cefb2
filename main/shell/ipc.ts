import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { IpcMainPort, IpcSender } from '../app/ipc-registry.ts';

/** ipcMain as the registry's port: each call's sender reduced to what the trust check needs. */
export const electronIpcPort: IpcMainPort = {
  handle(channel, listener) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, payload: unknown) => listener(senderOf(event), payload));
  },
  removeHandler: (channel) => ipcMain.removeHandler(channel),
};

function senderOf(event: IpcMainInvokeEvent): IpcSender {
  // senderFrame is null once the frame navigated away or was destroyed: such a call is never trusted.
  const frame = event.senderFrame;
  return { webContentsId: event.sender.id, frameUrl: frame?.url, isMainFrame: frame !== null && frame === event.sender.mainFrame };
}
