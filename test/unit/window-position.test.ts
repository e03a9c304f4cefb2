import { describe, expect, it } from 'vitest';
import { windowPositionNearTray, type Rect } from '../../main/app/window-position.ts';

const size = { width: 380, height: 560 };
const screen: Rect = { x: 0, y: 0, width: 1920, height: 1080 };
const none: Rect = { x: 0, y: 0, width: 0, height: 0 };

describe('windowPositionNearTray', () => {
  it('hangs under a macOS menu bar, centred on the icon, even with a Dock cutting the bottom', () => {
    const workArea = { x: 0, y: 25, width: 1920, height: 980 }; // 25 px menu bar, 75 px Dock
    const place = windowPositionNearTray({
      trayBounds: { x: 1500, y: 0, width: 22, height: 25 },
      windowSize: size,
      display: { bounds: screen, workArea },
    });
    expect(place).toEqual({ edge: 'top', x: 1511 - 190, y: 25 + 4 });
  });

  it('sits above a bottom Windows taskbar, kept inside the right edge of the screen', () => {
    const workArea = { x: 0, y: 0, width: 1920, height: 1040 };
    const place = windowPositionNearTray({
      trayBounds: { x: 1880, y: 1045, width: 24, height: 30 },
      windowSize: size,
      display: { bounds: screen, workArea },
    });
    expect(place).toEqual({ edge: 'bottom', x: 1920 - 380 - 4, y: 1040 - 560 - 4 });
  });

  it('sits beside a left taskbar, centred vertically on the icon', () => {
    const workArea = { x: 60, y: 0, width: 1860, height: 1080 };
    const place = windowPositionNearTray({
      trayBounds: { x: 18, y: 700, width: 24, height: 24 },
      windowSize: size,
      display: { bounds: screen, workArea },
    });
    expect(place).toEqual({ edge: 'left', x: 64, y: 712 - 280 });
  });

  it('sits beside a right taskbar, clamped to the bottom of the work area', () => {
    const workArea = { x: 0, y: 0, width: 1860, height: 1080 };
    const place = windowPositionNearTray({
      trayBounds: { x: 1878, y: 1040, width: 24, height: 24 },
      windowSize: size,
      display: { bounds: screen, workArea },
    });
    expect(place).toEqual({ edge: 'right', x: 1860 - 380 - 4, y: 1080 - 560 - 4 });
  });

  it('anchors at the cursor when the tray reports no bounds (Linux StatusNotifierItem)', () => {
    const workArea = { x: 0, y: 32, width: 1920, height: 1048 }; // GNOME top bar
    const place = windowPositionNearTray({
      trayBounds: none,
      cursor: { x: 1700, y: 12 },
      windowSize: size,
      display: { bounds: screen, workArea },
    });
    expect(place).toEqual({ edge: 'top', x: 1510, y: 36 });
  });

  it('falls back to the top-right corner with neither tray bounds nor cursor', () => {
    const place = windowPositionNearTray({ trayBounds: none, windowSize: size, display: { bounds: screen, workArea: screen } });
    expect(place).toEqual({ edge: 'top', x: 1920 - 380 - 4, y: 4 });
  });

  it('uses the nearest screen edge when an auto-hidden taskbar leaves the work area whole', () => {
    const place = windowPositionNearTray({
      trayBounds: { x: 900, y: 1060, width: 20, height: 20 },
      windowSize: size,
      display: { bounds: screen, workArea: screen },
    });
    expect(place).toEqual({ edge: 'bottom', x: 910 - 190, y: 1080 - 560 - 4 });
  });

  it('works on a secondary display at negative coordinates', () => {
    const bounds = { x: -1280, y: -200, width: 1280, height: 1024 };
    const workArea = { x: -1280, y: -200, width: 1280, height: 984 }; // taskbar at its bottom
    const place = windowPositionNearTray({
      trayBounds: { x: -60, y: 790, width: 24, height: 30 },
      windowSize: size,
      display: { bounds, workArea },
    });
    expect(place).toEqual({ edge: 'bottom', x: -380 - 4, y: -200 + 984 - 560 - 4 });
  });

  it('keeps the top-left corner visible when the window is larger than the work area', () => {
    const small = { x: 0, y: 0, width: 320, height: 480 };
    const workArea = { x: 0, y: 20, width: 320, height: 460 };
    const place = windowPositionNearTray({
      trayBounds: { x: 300, y: 0, width: 20, height: 20 },
      windowSize: size,
      display: { bounds: small, workArea },
    });
    expect(place).toEqual({ edge: 'top', x: 4, y: 24 });
  });
});
