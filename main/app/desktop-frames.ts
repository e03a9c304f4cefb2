import type { Daytona, Sandbox } from '@daytonaio/sdk';
import { loadSdk } from '../mcp/sdk-clients.ts';
import type { DesktopFrame, DesktopFrameSize } from '../../preload/contract.ts';

/** The picture's width at most (the display's own width caps it): a row's thumbnail, the larger view's image. */
export const FRAME_WIDTH: Record<DesktopFrameSize, number> = { thumbnail: 240, large: 1280 };
const QUALITY: Record<DesktopFrameSize, number> = { thumbnail: 55, large: 75 };
/** A frame is worth nothing late: each SDK call gets this deadline (the SDK's own default is 24 h). */
const REQUEST_TIMEOUT_MS = 15_000;
const SANDBOX_LIMIT = 64;

export interface DesktopFrames {
  /** A JPEG of the sandbox's desktop at `size`, or `running: false` when it runs none. One call per sandbox at a time. */
  capture(id: string, size: DesktopFrameSize): Promise<DesktopFrame>;
  /** Closes the SDK client's connections. */
  close(): Promise<void>;
}

interface Known {
  sandbox?: Sandbox;
  /** The display's size, known while its desktop was last seen running. */
  display?: { width: number; height: number };
  pending?: { size: DesktopFrameSize; promise: Promise<DesktopFrame> };
}

/**
 * Pictures of sandboxes' desktops for the window, through the official SDK's `sandbox.computerUse` (so Daytona
 * Cloud and the local provider answer the same calls): status and display size once, then compressed JPEG
 * screenshots scaled down on the sandbox's side, so a thumbnail crosses as a few kilobytes.
 */
export function createDesktopFrames(endpoint: { apiUrl: string; token: string }): DesktopFrames {
  let daytona: Daytona | undefined;
  const known = new Map<string, Known>();
  const client = () => {
    if (!daytona) {
      const { Daytona } = loadSdk();
      daytona = new Daytona({ apiKey: endpoint.token, apiUrl: endpoint.apiUrl, requestTimeoutMs: REQUEST_TIMEOUT_MS });
    }
    return daytona;
  };

  async function displayOf(entry: Known, sandbox: Sandbox): Promise<Known['display']> {
    let status: string | undefined;
    try {
      status = (await sandbox.computerUse.getStatus()).status;
    } catch {
      // A sandbox whose toolbox cannot tell (no computer use in its image, not started) shows no desktop.
      return undefined;
    }
    // 'partial': the display runs while its window manager restarts; its picture is still worth showing.
    if (status !== 'active' && status !== 'partial') return undefined;
    const display = (await sandbox.computerUse.display.getInfo()).displays?.find((d) => d.isActive !== false) ?? undefined;
    if (!display?.width || !display.height) return undefined;
    entry.display = { width: display.width, height: display.height };
    return entry.display;
  }

  async function captureNow(id: string, entry: Known, size: DesktopFrameSize): Promise<DesktopFrame> {
    entry.sandbox ??= await client().get(id);
    const sandbox = entry.sandbox;
    const display = entry.display ?? (await displayOf(entry, sandbox));
    if (!display) return { running: false };
    const scale = Math.min(1, Math.max(0.1, FRAME_WIDTH[size] / display.width));
    let shot;
    try {
      shot = await sandbox.computerUse.screenshot.takeCompressed({ format: 'jpeg', quality: QUALITY[size], scale, showCursor: false });
    } catch (error) {
      // The desktop may have stopped since it was last seen: ask again rather than report a failure.
      entry.display = undefined;
      if (!(await displayOf(entry, sandbox))) return { running: false };
      throw error;
    }
    if (!shot.screenshot) throw new Error(`The sandbox ${id} answered the screenshot without an image`);
    return {
      running: true,
      jpegBase64: shot.screenshot,
      width: Math.round(display.width * scale),
      height: Math.round(display.height * scale),
    };
  }

  return {
    capture(id, size) {
      let entry = known.get(id);
      if (!entry) {
        if (known.size >= SANDBOX_LIMIT) known.delete(known.keys().next().value!);
        entry = {};
        known.set(id, entry);
      }
      const current = entry;
      // One request per sandbox at a time: the same picture asked again shares the one on its way.
      if (current.pending?.size === size) return current.pending.promise;
      const before = current.pending?.promise.catch(() => undefined) ?? Promise.resolve();
      const promise = before
        .then(() => captureNow(id, current, size))
        .catch((error: unknown) => {
          // A deleted or re-created sandbox is looked up again next time.
          current.sandbox = undefined;
          current.display = undefined;
          throw error;
        })
        .finally(() => {
          if (current.pending?.promise === promise) current.pending = undefined;
        });
      current.pending = { size, promise };
      return promise;
    },
    async close() {
      const closing = daytona;
      daytona = undefined;
      known.clear();
      await closing?.[Symbol.asyncDispose]().catch(() => {});
    },
  };
}
