import { useEffect, useState, useSyncExternalStore } from 'react';
import type { BridgeError, DesktopFrame, DesktopFrameSize } from '../../../preload/contract.ts';
import { useBridge } from '../bridge.ts';

/** A new picture this long after the last one arrived: at most one request in flight, and a capped rate. */
export const FRAME_EVERY_MS = 2500;
/** A sandbox without a desktop (or one that failed to answer) is asked again less often. */
export const NO_DESKTOP_EVERY_MS = 10_000;

export interface DesktopFrameState {
  /** The last picture of a running desktop; undefined before the first one, or once the desktop stopped. */
  frame: (DesktopFrame & { jpegBase64: string }) | undefined;
  /** The last answer said the sandbox runs no desktop. */
  off: boolean;
  error: BridgeError | undefined;
}

function onVisibilityChange(listener: () => void): () => void {
  document.addEventListener('visibilitychange', listener);
  return () => document.removeEventListener('visibilitychange', listener);
}

const pageVisible = () => document.visibilityState === 'visible';

/** No picture, no answer yet: one object, so resetting to it when nothing was shown does not render again. */
const NO_FRAME: DesktopFrameState = { frame: undefined, off: false, error: undefined };

/**
 * Pictures of a sandbox's desktop while it is `started`, not `paused` and the page is visible: one request, then
 * the next FRAME_EVERY_MS after its answer (so never two at once), NO_DESKTOP_EVERY_MS while it runs none. A
 * paused one keeps its last picture; a sandbox no longer started forgets it.
 */
export function useDesktopFrame(id: string, size: DesktopFrameSize, started: boolean, paused = false): DesktopFrameState {
  const bridge = useBridge();
  // Whether the page is shown: a hidden window (tray window closed, minimized, another tab) asks for nothing.
  const visible = useSyncExternalStore(onVisibilityChange, pageVisible);
  const [state, setState] = useState(NO_FRAME);
  const asking = started && !paused && visible;

  useEffect(() => {
    if (!asking) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = async () => {
      // A timer that fired as the page was being hidden asks nothing.
      if (document.visibilityState !== 'visible') return;
      const result = await bridge.captureDesktop({ id, size });
      if (stopped) return;
      let next = NO_DESKTOP_EVERY_MS;
      if (!result.ok) {
        setState((previous) => ({ ...previous, error: result.error }));
      } else if (result.value.running && result.value.jpegBase64) {
        const frame = { ...result.value, jpegBase64: result.value.jpegBase64 };
        setState({ frame, off: false, error: undefined });
        next = FRAME_EVERY_MS;
      } else {
        setState({ frame: undefined, off: true, error: undefined });
      }
      // Checked again after the answer: the page may have been hidden while it was on its way.
      if (document.visibilityState === 'visible') timer = setTimeout(() => void ask(), next);
    };
    void ask();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [bridge, id, size, asking]);

  // A stopped sandbox has no desktop: forget its last picture (a row that never had one does not render again).
  useEffect(() => {
    if (!started) setState(NO_FRAME);
  }, [started]);
  return state;
}
