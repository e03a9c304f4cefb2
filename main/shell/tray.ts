import { join } from 'node:path';
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage, type Rectangle } from 'electron';
import { trayIconFileName, type TrayIconState, type TrayMenuAction, type TrayMenuItem, type TrayView } from '../app/tray-menu.ts';

export interface ShellTray {
  update(view: TrayView): void;
  bounds(): Rectangle;
  destroy(): void;
}

export interface TrayOptions {
  /** resources/tray/ */
  iconsDir: string;
  initial: TrayView;
  onAction(action: TrayMenuAction): void;
  /** A left click where the platform delivers one (macOS, Windows): toggles the window. */
  onClick(): void;
}

/**
 * The tray icon. Linux (StatusNotifierItem) shows only a context menu and may never deliver clicks, so the
 * menu is set with setContextMenu, again after every change. macOS and Windows open the window on a left
 * click and pop the same menu up on a right click (https://www.electronjs.org/docs/latest/api/tray, Linux notes).
 */
export function createTray(options: TrayOptions): ShellTray {
  const linux = process.platform === 'linux';
  const images = new Map<TrayIconState, NativeImage>();
  const image = (state: TrayIconState) => {
    let cached = images.get(state);
    if (!cached) {
      // createFromPath picks the @2x file on HiDPI screens, and marks *Template images as templates on macOS.
      cached = nativeImage.createFromPath(join(options.iconsDir, trayIconFileName(state, process.platform)));
      images.set(state, cached);
    }
    return cached;
  };

  const tray = new Tray(image(options.initial.icon));
  let menu = Menu.buildFromTemplate(template(options.initial.menu, options.onAction));
  let shown = { icon: options.initial.icon, tooltip: '', menu: '' };
  if (process.platform === 'darwin') tray.setIgnoreDoubleClickEvents(true);
  if (!linux) {
    tray.on('click', () => options.onClick());
    tray.on('right-click', () => tray.popUpContextMenu(menu));
  }

  function update(view: TrayView): void {
    // Only what changed: re-setting an unchanged menu makes some Linux panels flicker.
    if (view.icon !== shown.icon) tray.setImage(image(view.icon));
    if (view.tooltip !== shown.tooltip) tray.setToolTip(view.tooltip);
    const key = JSON.stringify(view.menu);
    if (key !== shown.menu) {
      menu = Menu.buildFromTemplate(template(view.menu, options.onAction));
      if (linux) tray.setContextMenu(menu);
    }
    shown = { icon: view.icon, tooltip: view.tooltip, menu: key };
  }
  update(options.initial);

  return {
    update,
    bounds: () => tray.getBounds(),
    destroy: () => tray.destroy(),
  };
}

/** The tray menu as Electron menu items (also the window's menu bar where no tray is shown). */
export function template(items: TrayMenuItem[], onAction: (action: TrayMenuAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.kind === 'separator') return { type: 'separator' };
    return {
      id: item.id,
      label: item.label,
      type: item.checked === undefined ? 'normal' : 'checkbox',
      ...(item.checked !== undefined ? { checked: item.checked } : {}),
      enabled: item.enabled ?? true,
      click: () => onAction(item.action),
    };
  });
}
