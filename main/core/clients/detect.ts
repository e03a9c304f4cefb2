import { join } from 'node:path';
import { findExecutable, pathExists, usualBinDirs, type Host } from './host.ts';

/** What tells that a client is installed: its app, its program, or a folder it makes on first start. */
export interface InstallMarkers {
  /** Folders (or files) the client creates. */
  paths?: string[];
  /** macOS app bundle names, looked for in /Applications and ~/Applications. */
  apps?: string[];
  /** Program names, looked for on PATH and in the usual install folders (a GUI app has no shell PATH). */
  bins?: string[];
  /** More folders to look for `bins` in. */
  binDirs?: string[];
}

export function isInstalled(host: Host, markers: InstallMarkers): boolean {
  const paths = [...(markers.paths ?? [])];
  if (host.platform === 'darwin')
    for (const app of markers.apps ?? []) paths.push(join('/Applications', app), join(host.home, 'Applications', app));
  if (paths.some(pathExists)) return true;
  const dirs = [...usualBinDirs(host), ...(markers.binDirs ?? [])];
  return (markers.bins ?? []).some((bin) => findExecutable(host, bin, dirs) !== undefined);
}
