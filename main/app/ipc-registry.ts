import { parseRequest, type ParsedRequest } from './contract-schemas.ts';
import { METHOD_CHANNELS, METHOD_NAMES, type BridgeMethodName, type Result, type ValueOf } from '../../preload/contract.ts';
import { toBridgeError } from './bridge-errors.ts';

/** Who sent an `invoke`, as the shell reads it from Electron's IpcMainInvokeEvent. */
export interface IpcSender {
  /** `event.sender.id`: the webContents. */
  webContentsId: number;
  /** `event.senderFrame?.url`; undefined when the frame is gone (navigated away or destroyed). */
  frameUrl: string | undefined;
  /** `event.senderFrame === event.sender.mainFrame`: not an iframe. */
  isMainFrame: boolean;
}

/** The part of ipcMain the registry needs (the shell adapts the real one; tests pass a recording double). */
export interface IpcMainPort {
  handle(channel: string, listener: (sender: IpcSender, payload: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** One function per contract method, given an already parsed request. */
export type BridgeHandlers = { [K in BridgeMethodName]: (request: ParsedRequest<K>) => Promise<Result<ValueOf<K>>> };

export interface RegisterOptions {
  /** True only for our window's top frame showing our renderer (see trustedSender). */
  isTrusted(sender: IpcSender): boolean;
  log?(line: string): void;
}

/**
 * Registers one `ipcMain.handle` per contract method. Each call is checked in this order: the sender must be
 * our window's top frame (Electron security checklist item 17), the payload must parse with the method's zod
 * schema, then the handler runs. Every outcome is a Result value: a foreign sender and a bad payload are
 * refused without reaching a service, and a handler that throws becomes an error value with a message the
 * window can show. Returns the function that removes the handlers again.
 */
export function registerBridgeHandlers(port: IpcMainPort, handlers: BridgeHandlers, options: RegisterOptions): () => void {
  const log = options.log ?? (() => {});
  for (const method of METHOD_NAMES) {
    const channel = METHOD_CHANNELS[method];
    port.handle(channel, async (sender, payload) => {
      if (!options.isTrusted(sender)) {
        log(
          `refused ${channel} from a foreign sender (webContents ${sender.webContentsId}, ${sender.isMainFrame ? 'top frame' : 'subframe'}, ${describeUrl(sender.frameUrl)})`,
        );
        return refusal();
      }
      const parsed = parseRequest(method, payload);
      if (!parsed.ok) {
        log(`refused ${channel}: ${parsed.error.message}`);
        return parsed;
      }
      try {
        return await (handlers[method] as (request: unknown) => Promise<Result<unknown>>)(parsed.value);
      } catch (error) {
        const failure = toBridgeError(error);
        log(`${channel} failed: ${failure.message}`);
        return { ok: false, error: failure } satisfies Result<never>;
      }
    });
  }
  return () => {
    for (const method of METHOD_NAMES) port.removeHandler(METHOD_CHANNELS[method]);
  };
}

/**
 * The trust rule: the sender is the window we created (its webContents id), in its top frame, and that frame
 * still shows our renderer's page (file:// URL of out/renderer/index.html; a query or hash is fine).
 */
export function trustedSender(expected: { webContentsId: () => number | undefined; rendererUrl: string }): (sender: IpcSender) => boolean {
  const page = new URL(expected.rendererUrl);
  return (sender) => {
    if (sender.webContentsId !== expected.webContentsId() || !sender.isMainFrame || !sender.frameUrl) return false;
    let url: URL;
    try {
      url = new URL(sender.frameUrl);
    } catch {
      return false;
    }
    return url.protocol === page.protocol && url.host === page.host && url.pathname === page.pathname;
  };
}

function refusal(): Result<never> {
  return {
    ok: false,
    error: { code: 'bad-request', message: 'This request did not come from the Daytona Tray window, so it was ignored.' },
  };
}

/** Scheme and path only (a URL's query could carry anything). */
function describeUrl(url: string | undefined): string {
  if (!url) return 'no frame';
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}
