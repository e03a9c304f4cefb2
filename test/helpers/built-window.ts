import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';

/**
 * The window's built files (out/renderer and the sandboxed preload out/preload/index.cjs), built here when a
 * test that needs them runs on its own: the global setup builds only out/main with tsc, `npm test` builds all.
 */
export function ensureBuiltWindow(): void {
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const build = (config: string) =>
    execFileSync(process.execPath, [vite, 'build', '--config', config, '--logLevel', 'warn'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (!existsSync(join(REPO_ROOT, 'out', 'renderer', 'index.html'))) build('renderer/vite.config.ts');
  if (!existsSync(join(REPO_ROOT, 'out', 'preload', 'index.cjs'))) build('preload/vite.config.ts');
}
