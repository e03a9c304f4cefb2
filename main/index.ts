import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_ID } from './app/app-identity.ts';
import { buildApp } from './app/build-app.ts';
import { outsideArchive } from './core/app-paths.ts';
import { createLogFile } from './core/logs/log-file.ts';
import { redact } from './core/redact.ts';
import { runShell } from './shell/run-shell.ts';

// The entry Electron loads (package.json "main"). The app is built by buildApp (main/app/build-app.ts), the
// same wiring the web shell and the tests use; this file only hands it the Electron desktop. Every module does
// nothing on import, and everything below runs once Electron is ready.
const here = fileURLToPath(new URL('.', import.meta.url)); // out/main/ (inside app.asar when packaged)
const root = join(here, '..', '..');
// A packaged app has no visible stderr: the shell's lines go to the log file too (the app's own lines and its
// children's reach the file through buildApp's log).
const logFile = createLogFile();
const stderr = (line: string) => void process.stderr.write(`[daytona-tray] ${line}\n`);
const log = (line: string) => {
  stderr(line);
  logFile.write(`${new Date().toISOString()} shell: ${redact(line, [])}`);
};

runShell({
  appId: APP_ID,
  rendererDir: join(here, '..', 'renderer'),
  preload: join(here, '..', 'preload', 'index.cjs'),
  iconsDir: join(root, 'resources', 'tray'),
  appIcon: join(root, 'resources', 'icon.png'),
  log,
  logPath: logFile.path,
  async startApp(desktop) {
    // The built CLI: the MCP server, the local provider and the AI clients' stdio bridge are all
    // `<this executable> cli.js <command>` in node mode (ELECTRON_RUN_AS_NODE=1; the RunAsNode fuse stays on),
    // run from the unpacked copy beside app.asar (electron-builder.yml's asarUnpack), never from the archive.
    const { app } = buildApp({ desktop, cliScript: outsideArchive(join(here, 'cli.js')), log: stderr, logFile });
    await app.start();
    return app;
  },
});
