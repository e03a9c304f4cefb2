import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_ID } from './app/app-identity.ts';
import { buildApp } from './app/build-app.ts';
import { runShell } from './shell/run-shell.ts';

// The entry Electron loads (package.json "main"). The app is built by buildApp (main/app/build-app.ts), the
// same wiring the web shell and the tests use; this file only hands it the Electron desktop. Every module does
// nothing on import, and everything below runs once Electron is ready.
const here = fileURLToPath(new URL('.', import.meta.url)); // out/main/ (inside app.asar when packaged)
const root = join(here, '..', '..');
const log = (line: string) => process.stderr.write(`[daytona-tray] ${line}\n`);

runShell({
  appId: APP_ID,
  rendererDir: join(here, '..', 'renderer'),
  preload: join(here, '..', 'preload', 'index.cjs'),
  iconsDir: join(root, 'resources', 'tray'),
  appIcon: join(root, 'resources', 'icon.png'),
  log,
  async startApp(desktop) {
    // The built CLI: the MCP server, the local provider and the AI clients' stdio bridge are all
    // `<this executable> cli.js <command>` in node mode (ELECTRON_RUN_AS_NODE=1; the RunAsNode fuse stays on).
    const { app } = buildApp({ desktop, cliScript: join(here, 'cli.js'), log });
    await app.start();
    return app;
  },
});
