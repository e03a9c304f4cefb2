/**
 * The app's identity on the desktop. APP_ID is electron-builder's `appId` (electron-builder.yml): the bundle
 * id on macOS and, on Windows, the AppUserModelID of the Start menu shortcut the installer creates. The app
 * sets the same id at run time, or Windows shows no toasts (Electron's notifications tutorial, https://www.electronjs.org/docs/latest/tutorial/notifications#windows;
 * electron-userland/electron-builder#2700).
 */
export const APP_ID = 'io.daytona.tray';

/**
 * The COM class Windows activates when a notification is clicked in Action Center after it left the screen
 * (System.AppUserModel.ToastActivatorCLSID on the Start menu shortcut; Electron registers the class for this
 * executable: app.setToastActivatorCLSID). Fixed for the app's life: a new one orphans every toast already
 * in Action Center. https://learn.microsoft.com/en-us/windows/win32/properties/props-system-appusermodel-toastactivatorclsid
 */
export const TOAST_ACTIVATOR_CLSID = '{9942454D-9A3B-4511-A019-526DD8615A20}';

/** The Start menu shortcut the NSIS installer creates (electron-builder.yml nsis.shortcutName; per-user install). */
export const START_MENU_SHORTCUT_NAME = 'Daytona Tray.lnk';
