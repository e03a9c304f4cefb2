import type { Stats } from 'node:fs';
import { SANDBOX_USER } from '../sandbox-record.ts';

/** `FileInfo` as the toolbox returns it (docs/daytona-api.md §6.1; daytonaio/daytona v0.190.0 apps/daemon/pkg/toolbox/fs/get_file_info.go). */
export function fileInfo(name: string, sandboxPath: string, stats: Stats) {
  const modified = stats.mtime.toISOString();
  return {
    name,
    path: sandboxPath,
    isDir: stats.isDirectory(),
    size: stats.size,
    mode: modeString(stats),
    // Go's `%04o` of Mode().Perm(): the permission bits only (setuid/setgid/sticky show in `mode`).
    permissions: (stats.mode & 0o777).toString(8).padStart(4, '0'),
    // Inside the sandbox every file belongs to the sandbox user (its user namespace maps our uid to it).
    owner: SANDBOX_USER,
    group: SANDBOX_USER,
    modifiedAt: modified,
    modTime: goTimeString(stats.mtime),
  };
}

/**
 * Go's time.String() of a modification time, as the daemon's deprecated `modTime` carries it:
 * `2024-01-15 10:30:45.123 +0000 UTC` (fraction without trailing zeros, none when whole). Sandboxes run in UTC.
 */
export function goTimeString(date: Date): string {
  const iso = date.toISOString(); // 2024-01-15T10:30:45.123Z
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''} +0000 UTC`;
}

/**
 * Go's FileMode.String(): type letters in Go's order (`dalTLDpSugct?`, the ones a stat can show), then the
 * nine permission bits: `drwxr-xr-x`, `-rw-r--r--`, `Lrwxrwxrwx`, `dtrwxrwxrwx` for a sticky folder, `Dcrw-rw-rw-`.
 */
export function modeString(
  stats: Pick<Stats, 'mode' | 'isDirectory' | 'isSymbolicLink' | 'isBlockDevice' | 'isCharacterDevice' | 'isFIFO' | 'isSocket'>,
): string {
  const letters: [boolean, string][] = [
    [stats.isDirectory(), 'd'],
    [stats.isSymbolicLink(), 'L'],
    [stats.isBlockDevice() || stats.isCharacterDevice(), 'D'],
    [stats.isFIFO(), 'p'],
    [stats.isSocket(), 'S'],
    [(stats.mode & 0o4000) !== 0, 'u'],
    [(stats.mode & 0o2000) !== 0, 'g'],
    [stats.isCharacterDevice(), 'c'],
    [(stats.mode & 0o1000) !== 0, 't'],
  ];
  let out = letters
    .filter(([set]) => set)
    .map(([, letter]) => letter)
    .join('');
  const bits = 'rwxrwxrwx';
  for (let i = 0; i < 9; i++) out += stats.mode & (1 << (8 - i)) ? bits[i] : '-';
  return out.length === 9 ? `-${out}` : out;
}
