import { realpath } from 'node:fs/promises';
import { posix, relative, resolve, sep } from 'node:path';
import { ApiError } from '../errors.ts';
import { SANDBOX_HOME } from '../sandbox-record.ts';
import type { SandboxDirs } from '../sandbox-runner.ts';

export interface ResolvedPath {
  /** The path as the sandbox sees it, normalised (e.g. /home/daytona/app/main.py). */
  sandboxPath: string;
  /** Where that file lives on the host. */
  hostPath: string;
  /** The host directory this path must stay inside. */
  hostRoot: string;
}

const denied = (path: string) =>
  new ApiError(403, `Path ${path} is outside the sandbox: use a path under ${SANDBOX_HOME} (or a relative one) or /tmp.`, 'FILE_ACCESS_DENIED');

/**
 * Maps a path from a toolbox request to the host. Relative paths start at the home directory (the work dir);
 * only /home/daytona and /tmp are reachable, `..` cannot climb out, and a symlink inside the sandbox that
 * points elsewhere on the host is refused (its real path is checked, not just its name).
 */
export async function resolveSandboxPath(dirs: SandboxDirs, requested: unknown): Promise<ResolvedPath> {
  if (typeof requested !== 'string' || requested.length === 0) {
    throw new ApiError(400, 'A path is required: pass ?path=<file or folder in the sandbox>.', 'INVALID_FILE_PATH');
  }
  if (requested.includes('\0')) throw new ApiError(400, 'The path contains a NUL byte.', 'INVALID_FILE_PATH');
  const sandboxPath = posix.resolve(SANDBOX_HOME, requested.replace(/^~(?=\/|$)/, SANDBOX_HOME));
  let hostRoot: string;
  let rest: string;
  if (sandboxPath === SANDBOX_HOME || sandboxPath.startsWith(`${SANDBOX_HOME}/`)) {
    hostRoot = dirs.home;
    rest = sandboxPath.slice(SANDBOX_HOME.length);
  } else if (sandboxPath === '/tmp' || sandboxPath.startsWith('/tmp/')) {
    hostRoot = dirs.tmp;
    rest = sandboxPath.slice('/tmp'.length);
  } else {
    throw denied(requested);
  }
  const hostPath = resolve(hostRoot, `.${rest}`);
  await assertNoEscape(hostRoot, hostPath, requested);
  return { sandboxPath, hostPath, hostRoot };
}

/** The real path of the deepest existing ancestor must stay inside the root. */
async function assertNoEscape(hostRoot: string, hostPath: string, requested: string): Promise<void> {
  const realRoot = await realpath(hostRoot);
  let probe = hostPath;
  for (;;) {
    try {
      const real = await realpath(probe);
      if (!isInside(realRoot, real)) throw denied(requested);
      return;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      const parent = resolve(probe, '..');
      if (parent === probe) return;
      probe = parent;
    }
  }
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}

/** Maps a host path under a sandbox root back to the sandbox's view. */
export function toSandboxPath(dirs: SandboxDirs, hostPath: string): string {
  if (isInside(dirs.home, hostPath)) return posix.join(SANDBOX_HOME, relative(dirs.home, hostPath).split(sep).join('/'));
  if (isInside(dirs.tmp, hostPath)) return posix.join('/tmp', relative(dirs.tmp, hostPath).split(sep).join('/'));
  return hostPath;
}
