/** A rectangle in screen coordinates (DIPs), the shape of Electron's `Rectangle`. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** Where the taskbar / menu bar sits, i.e. the edge the window hangs from. */
export type ScreenEdge = 'top' | 'bottom' | 'left' | 'right';
const EDGES: readonly ScreenEdge[] = ['top', 'bottom', 'left', 'right'];

export interface WindowPlacementInput {
  /** `tray.getBounds()`; all zero on Linux, where the StatusNotifierItem does not report a position. */
  trayBounds: Rect;
  windowSize: { width: number; height: number };
  /** The display the tray (or, failing that, the cursor) is on: its full bounds and its work area. */
  display: { bounds: Rect; workArea: Rect };
  /** `screen.getCursorScreenPoint()`: the anchor when the tray has no bounds (the user just clicked near it). */
  cursor?: Point;
  /** Space between the window and the taskbar / screen edge. Default 4. */
  gap?: number;
}

export interface WindowPlacement {
  x: number;
  y: number;
  edge: ScreenEdge;
}

/**
 * Where to show the ~380×560 window so it hangs off the tray icon like a popover (maxogden/menubar's
 * positioner idea, as one pure function): under the macOS menu bar, above a bottom Windows taskbar, beside a
 * left or right one. The taskbar is the strip between the display's bounds and its work area that holds the
 * anchor (a macOS Dock also cuts the work area, but the tray is in the menu bar); with an auto-hidden
 * taskbar (no strip) the screen edge nearest the anchor wins. The result always lies inside the work area.
 */
export function windowPositionNearTray(input: WindowPlacementInput): WindowPlacement {
  const { windowSize, display } = input;
  const gap = input.gap ?? 4;
  const work = display.workArea;
  const anchor = anchorPoint(input);
  const edge = taskbarEdge(display.bounds, work, anchor);

  let x: number;
  let y: number;
  switch (edge) {
    case 'top':
      x = anchor.x - windowSize.width / 2;
      y = work.y + gap;
      break;
    case 'bottom':
      x = anchor.x - windowSize.width / 2;
      y = work.y + work.height - windowSize.height - gap;
      break;
    case 'left':
      x = work.x + gap;
      y = anchor.y - windowSize.height / 2;
      break;
    case 'right':
      x = work.x + work.width - windowSize.width - gap;
      y = anchor.y - windowSize.height / 2;
      break;
  }
  return {
    x: Math.round(clamp(x, work.x + gap, work.x + work.width - windowSize.width - gap)),
    y: Math.round(clamp(y, work.y + gap, work.y + work.height - windowSize.height - gap)),
    edge,
  };
}

/** The tray icon's centre; the cursor when the tray has no bounds; else the work area's top-right corner. */
function anchorPoint(input: WindowPlacementInput): Point {
  const tray = input.trayBounds;
  if (tray.width > 0 && tray.height > 0) return { x: tray.x + tray.width / 2, y: tray.y + tray.height / 2 };
  if (input.cursor) return input.cursor;
  const work = input.display.workArea;
  return { x: work.x + work.width, y: work.y };
}

/**
 * The taskbar's edge: the cut strip that holds the anchor; else the cut edge nearest to it; else (nothing is
 * cut: an auto-hidden taskbar, some Linux panels) the screen edge nearest to it.
 */
function taskbarEdge(bounds: Rect, work: Rect, anchor: Point): ScreenEdge {
  const cut: Record<ScreenEdge, boolean> = {
    top: work.y > bounds.y,
    bottom: work.y + work.height < bounds.y + bounds.height,
    left: work.x > bounds.x,
    right: work.x + work.width < bounds.x + bounds.width,
  };
  const inside: Record<ScreenEdge, boolean> = {
    top: anchor.y < work.y,
    bottom: anchor.y >= work.y + work.height,
    left: anchor.x < work.x,
    right: anchor.x >= work.x + work.width,
  };
  const holding = EDGES.find((edge) => cut[edge] && inside[edge]);
  if (holding) return holding;
  const cutEdges = EDGES.filter((edge) => cut[edge]);
  return nearestEdge(bounds, anchor, cutEdges.length > 0 ? cutEdges : EDGES);
}

function nearestEdge(bounds: Rect, point: Point, candidates: readonly ScreenEdge[]): ScreenEdge {
  const distance: Record<ScreenEdge, number> = {
    top: point.y - bounds.y,
    bottom: bounds.y + bounds.height - point.y,
    left: point.x - bounds.x,
    right: bounds.x + bounds.width - point.x,
  };
  return candidates.reduce((best, edge) => (distance[edge] < distance[best] ? edge : best));
}

/** `value` within [min, max]; `min` wins when the window is larger than the space (its top-left stays visible). */
function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(value, max));
}
