import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_CHANNELS, METHOD_CHANNELS, type BridgeApi, type BridgeEventName, type BridgeMethodName } from './contract.ts';

/**
 * The preload: exposes exactly the contract as `window.bridge`, and nothing of Electron itself (no raw
 * ipcRenderer, no event objects). A sandboxed preload cannot load other files, so this is bundled into one
 * CommonJS file (preload/vite.config.ts) with the channel names inlined.
 */
function createBridge(): BridgeApi {
  const bridge: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(METHOD_CHANNELS) as [BridgeMethodName, string][]) {
    // One optional plain-object request; main answers with a Result value and never rejects on purpose.
    bridge[method] = (request?: unknown) => ipcRenderer.invoke(channel, request);
  }
  for (const [event, channel] of Object.entries(EVENT_CHANNELS) as [BridgeEventName, string][]) {
    bridge[event] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${event} takes a function`);
      const handler = (_event: unknown, payload: unknown) => listener(payload);
      ipcRenderer.on(channel, handler);
      return () => {
        ipcRenderer.removeListener(channel, handler);
      };
    };
  }
  return Object.freeze(bridge) as unknown as BridgeApi;
}

contextBridge.exposeInMainWorld('bridge', createBridge());
