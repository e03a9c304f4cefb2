import type { Stats } from 'node:fs';
import { SANDBOX_USER } from '../sandbox-record.ts';

/** `FileInfo` as the toolbox returns it (daytona-api.md §6.1). */
export function fileInfo(name: string, sandboxPath: string, stats: Stats) {
  const modified = stats.mtime;
  return {
    name,
    path: sandboxPath,
    isDir: stats.isDirectory(),
    size: stats.size,
    mode: modeString(stats),
    permissions: (stats.mode & 0o7777).toString(8).padStart(4, '0'),
    // Inside the sandbox every file belongs to the sandbox user (its user namespace maps our uid to it).
    owner: SANDBOX_USER,
    group: SANDBOX_USER,
    modifiedAt: modified.toISOString(),
    modTime: modified.toISOString(),
  };
}

/** Go's FileMode.String(): `drwxr-xr-x`, `-rw-r--r--`, `Lrwxrwxrwx`. */
function modeString(stats: Stats): string {
  const type = stats.isDirectory() ? 'd' : stats.isSymbolicLink() ? 'L' : '-';
  const bits = 'rwxrwxrwx';
  let out = '';
  for (let i = 0; i < 9; i++) out += stats.mode & (1 << (8 - i)) ? bits[i] : '-';
  return type + out;
}
