import { app, dialog } from 'electron';
import type { DesktopPort } from '../app/desktop-port.ts';

/**
 * macOS only, packaged only: the offer to move the app into the Applications folder
 * (https://www.electronjs.org/docs/latest/api/app#appmovetoapplicationsfolderoptions-macos). Thin: the app decides
 * when to ask (main/app/tray-app.ts); this asks the user and moves, and Electron relaunches the app from there.
 */
export function createApplicationsFolder(): DesktopPort['applicationsFolder'] {
  if (process.platform !== 'darwin' || !app.isPackaged) return undefined;
  return {
    isIn: () => app.isInApplicationsFolder(),
    async offerMove() {
      const { response } = await dialog.showMessageBox({
        type: 'question',
        buttons: ['Move to Applications', 'Not Now'],
        defaultId: 0,
        cancelId: 1,
        message: 'Move Daytona Tray to the Applications folder?',
        detail:
          'Your AI clients start Daytona Tray from where it is installed. Run from elsewhere (such as Downloads), macOS gives it a temporary location that is gone once it quits, and their connections would stop working.',
      });
      if (response !== 0) return 'declined';
      try {
        return app.moveToApplicationsFolder() ? 'moved' : 'failed';
      } catch {
        return 'failed';
      }
    },
  };
}
