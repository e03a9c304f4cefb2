/**
 * The app's identity on the desktop. APP_ID is electron-builder's `appId` (electron-builder.yml): the bundle
 * id on macOS and, on Windows, the AppUserModelID of the Start menu shortcut the installer creates. The app
 * sets the same id at run time, or Windows shows no toasts (Electron's notifications tutorial, https://www.electronjs.org/docs/latest/tutorial/notifications#windows;
 * electron-userland/electron-builder#2700).
 */
export const APP_ID = 'io.daytona.tray';
