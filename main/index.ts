import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appDataDir } from './core/app-paths.ts';
import { startLocalProvider } from './local/provider.ts';
import { runShell } from './shell/run-shell.ts';

// Composition root of the tray app: wires services into the Electron shell. Nothing runs on import
// anywhere else; this file is the entry Electron loads (package.json "main").
const here = fileURLToPath(new URL('.', import.meta.url));
const log = (line: string) => process.stderr.write(`[daytona-tray] ${line}\n`);

runShell({
  rendererIndex: join(here, '..', 'renderer', 'index.html'),
  log,
  async startServices() {
    // With no account configured the app runs on the embedded local provider.
    const local = await startLocalProvider({ dataDir: join(appDataDir(), 'local'), log });
    log(`local provider on ${local.apiUrl} (isolation: ${local.isolation})`);
    return () => local.close();
  },
});
