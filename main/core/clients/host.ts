import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Everything OS-dependent that client setup looks at. The platform picks the rules (which env vars,
 * which folders); paths are joined with the running OS's `path`, so a test can apply macOS or Windows
 * rules to a temp HOME on Linux and touch real files.
 */
export interface Host {
  platform: NodeJS.Platform;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
}

export function currentHost(): Host {
  return { platform: process.platform, home: homedir(), env: process.env };
}

/** An env var by name; case-insensitive under Windows rules (`Path` vs `PATH`), empty counts as unset. */
export function envVar(host: Host, name: string): string | undefined {
  let value = host.env[name];
  if (value === undefined && host.platform === 'win32') {
    const key = Object.keys(host.env).find((k) => k.toUpperCase() === name.toUpperCase());
    value = key === undefined ? undefined : host.env[key];
  }
  return value ? value : undefined;
}

/** %APPDATA% (Roaming), with Windows' default when the variable is missing. */
export function windowsAppData(host: Host): string {
  return envVar(host, 'APPDATA') ?? join(host.home, 'AppData', 'Roaming');
}

/** %LOCALAPPDATA%, with Windows' default when the variable is missing. */
export function windowsLocalAppData(host: Host): string {
  return envVar(host, 'LOCALAPPDATA') ?? join(host.home, 'AppData', 'Local');
}

/** $XDG_CONFIG_HOME or ~/.config (Linux rules; Electron apps and VS Code honour it). */
export function xdgConfigHome(host: Host): string {
  const value = envVar(host, 'XDG_CONFIG_HOME');
  return value && isAbsolute(value) ? value : join(host.home, '.config');
}

export function pathExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds a program by name on PATH plus `extraDirs` and returns its absolute path. GUI apps on macOS get
 * no shell PATH, so callers add the usual install folders. Under Windows rules only `<name>.exe` counts:
 * a `.cmd` shim cannot be spawned without a shell, and we never spawn through one.
 */
export function findExecutable(host: Host, name: string, extraDirs: readonly string[] = []): string | undefined {
  const dirs = [...(envVar(host, 'PATH') ?? '').split(delimiter), ...extraDirs].filter((dir) => dir && isAbsolute(dir));
  const file = host.platform === 'win32' ? `${name}.exe` : name;
  for (const dir of dirs) {
    const candidate = join(dir, file);
    if (host.platform === 'win32' ? pathExists(candidate) : isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Install folders that a macOS GUI app does not have on PATH (Homebrew, /usr/local, per-user bins). */
export function usualBinDirs(host: Host): string[] {
  if (host.platform === 'win32') return [join(host.home, '.local', 'bin')];
  const dirs = [join(host.home, '.local', 'bin')];
  if (host.platform === 'darwin') dirs.push('/opt/homebrew/bin', '/usr/local/bin');
  return dirs;
}
