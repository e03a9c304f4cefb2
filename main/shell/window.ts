import { BrowserWindow, nativeTheme, screen, type Menu, type Rectangle } from 'electron';
import type { WindowKind } from '../app/window-mode.ts';
import { windowPositionNearTray } from '../app/window-position.ts';
import { EVENT_CHANNELS, type AppState, type ViewTarget } from '../../preload/contract.ts';

export const WINDOW_SIZE = { width: 380, height: 560 };
const TOGGLE_AFTER_BLUR_MS = 300;

export interface ShellWindow {
  /** Shows the window near the tray (at the given view, maybe at one sandbox there). */
  show(target?: ViewTarget): void;
  toggle(): void;
  sendState(state: AppState): void;
  /** The webContents id IPC calls must come from. */
  webContentsId(): number | undefined;
  /** Lets the next close really close (at quit). */
  allowClose(): void;
  /** The window's own menu bar (a normal window where no tray is shown carries the tray's menu there). */
  setMenu(menu: Menu): void;
}

export interface WindowOptions {
  /** popover: placed at the tray, hidden on blur; normal: framed, in the taskbar, placed by the window manager (main/app/window-mode.ts). */
  kind: WindowKind;
  url: string;
  preload: string;
  trayBounds(): Rectangle;
  onVisibility(visible: boolean): void;
  log(line: string): void;
}

/**
 * The ~380×560 popover window: created hidden at start (so it opens at once), placed next to the tray each
 * time it is shown, hidden when it loses focus or is closed. Hardened: context isolation, the renderer
 * sandbox, no Node integration; the only bridge is the preload's contract.
 */
export function createMainWindow(options: WindowOptions): ShellWindow {
  let closing = false;
  let loaded = false;
  let pendingView: ViewTarget | undefined;
  let lastState: AppState | undefined;

  const popover = options.kind === 'popover';
  const window = new BrowserWindow({
    width: WINDOW_SIZE.width,
    height: WINDOW_SIZE.height,
    show: false,
    frame: !popover,
    resizable: !popover,
    maximizable: false,
    minimizable: !popover,
    fullscreenable: false,
    skipTaskbar: popover,
    title: 'Daytona Tray',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#0d1117' : '#ffffff',
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });

  window.webContents.on('did-finish-load', () => {
    loaded = true;
    if (lastState) window.webContents.send(EVENT_CHANNELS.onStateChanged, lastState);
    if (pendingView) window.webContents.send(EVENT_CHANNELS.onShowView, pendingView);
    pendingView = undefined;
  });
  window.webContents.on('render-process-gone', (_event, details) => {
    options.log(`the window's renderer is gone (${details.reason}); reloading it`);
    loaded = false;
    void window.loadURL(options.url);
  });
  // A click on the tray icon first blurs the open window (which hides it), then arrives as a click that would
  // show it again: remember the blur so that click closes the popover, as in other menu bar apps.
  let hiddenByBlurAt = 0;
  window.on('blur', () => {
    if (!popover || window.webContents.isDevToolsFocused()) return;
    hiddenByBlurAt = Date.now();
    window.hide();
  });
  window.on('show', () => options.onVisibility(true));
  window.on('hide', () => options.onVisibility(false));
  window.on('close', (event) => {
    // Closing only hides it; the app lives on (in the tray, or reopened from its desktop entry) until Quit.
    if (closing) return;
    event.preventDefault();
    window.hide();
  });
  void window.loadURL(options.url).catch((error: unknown) => options.log(`could not load the window: ${(error as Error).message}`));

  function place(): void {
    const trayBounds = options.trayBounds();
    const cursor = screen.getCursorScreenPoint();
    const display = trayBounds.width > 0 ? screen.getDisplayMatching(trayBounds) : screen.getDisplayNearestPoint(cursor);
    const { x, y } = windowPositionNearTray({
      trayBounds,
      windowSize: WINDOW_SIZE,
      display: { bounds: display.bounds, workArea: display.workArea },
      cursor,
    });
    window.setPosition(x, y, false);
  }

  function show(target?: ViewTarget): void {
    if (window.isDestroyed()) return;
    if (popover) place();
    else if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
    if (!target) return;
    if (loaded) window.webContents.send(EVENT_CHANNELS.onShowView, target);
    else pendingView = target;
  }

  return {
    show,
    toggle() {
      if (window.isVisible() && (popover || window.isFocused())) window.hide();
      else if (!popover) show();
      else if (Date.now() - hiddenByBlurAt > TOGGLE_AFTER_BLUR_MS) show();
    },
    sendState(state) {
      lastState = state;
      if (loaded && !window.isDestroyed()) window.webContents.send(EVENT_CHANNELS.onStateChanged, state);
    },
    webContentsId: () => (window.isDestroyed() ? undefined : window.webContents.id),
    allowClose() {
      closing = true;
    },
    setMenu(menu) {
      if (!window.isDestroyed()) window.setMenu(menu);
    },
  };
}
