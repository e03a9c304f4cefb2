import { expect, it } from 'vitest';
import { openLogFile } from '../../main/app/handlers/server.ts';
import { createDesktopDouble } from '../helpers/desktop-double.ts';

const logFile = { path: '/home/u/.config/daytona-tray/logs/daytona-tray.log', write: () => {} };

it('opens the log file where the desktop can, and answers with its path', async () => {
  const desktop = createDesktopDouble();
  expect(await openLogFile({ desktop, logFile })).toEqual({ ok: true, value: { path: logFile.path } });
  expect(desktop.openedFiles).toEqual([logFile.path]);
});

it("where nothing can open files (the web app), is the contract's 'unsupported' saying where the file is and how to read it", async () => {
  const desktop = createDesktopDouble({ openFiles: false });
  expect(await openLogFile({ desktop, logFile })).toEqual({
    ok: false,
    error: { code: 'unsupported', message: `The log file is ${logFile.path}; read it with 'daytona-tray logs --follow'.` },
  });
  expect(await openLogFile({ desktop: createDesktopDouble(), logFile: undefined })).toEqual({
    ok: false,
    error: { code: 'unsupported', message: 'This app keeps no log file.' },
  });
});
