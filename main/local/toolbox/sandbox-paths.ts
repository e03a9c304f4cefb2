import { constants, type Stats } from 'node:fs';
import { lstat, open, readlink, realpath, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, posix, relative, sep } from 'node:path';
import { ApiError } from '../errors.ts';
import { SANDBOX_HOME } from '../sandbox-record.ts';
import type { SandboxDirs, SandboxRoot } from '../sandbox-runner/index.ts';

/**
 * What the file routes may reach in a sandbox: with `root` (a started bubblewrap sandbox), its whole filesystem as
 * its processes see it; without (plain processes), only its home, /tmp and volumes, straight from the host.
 */
export interface FileScope {
  dirs: SandboxDirs;
  root?: SandboxRoot | undefined;
}

export interface ResolvedPath {
  /** The path as the request named it, made absolute and normalised (e.g. /home/daytona/app/main.py). */
  sandboxPath: string;
  /** Where that file is reached from the host, with every symlink on the way resolved inside the sandbox. */
  hostPath: string;
  /** The host path this path stays inside (the sandbox's root; without one, its home, /tmp or a volume). */
  hostRoot: string;
  /** The path as the request spelled it, for messages. */
  requested: string;
  /** Whether the path (symlinks resolved) is `/`, the home, /tmp or a volume: never deleted, moved or replaced. */
  isAreaRoot: boolean;
  /** The sandbox's root, when the path is reached through it: files opened there are checked to be its own. */
  root?: SandboxRoot | undefined;
}

export interface ResolveOptions {
  /**
   * Whether a symlink in the last component is followed (default true). Operations on the link itself
   * (delete, move, rename onto) pass false, so an escaping link can still be removed or replaced.
   */
  followLast?: boolean;
}

/** Linux's limit on symlinks followed while resolving one path (ELOOP). */
const MAX_SYMLINK_HOPS = 40;
const MAX_PATH_LENGTH = 4096;
const TMP = '/tmp';

export const outsideSandbox = (path: string) =>
  new ApiError(
    403,
    `Path ${path} is outside the sandbox: use a path under ${SANDBOX_HOME} (or a relative one) or ${TMP}.`,
    'FILE_ACCESS_DENIED',
  );

/**
 * Validates a path from a toolbox request and makes it absolute as the sandbox sees it: relative paths (and `~`)
 * start at the home directory, which is also the work dir. `..` is resolved by name, so it cannot climb out.
 */
export function normalizeSandboxPath(requested: unknown): string {
  if (typeof requested !== 'string' || requested.length === 0) {
    throw new ApiError(400, 'A path is required: pass ?path=<file or folder in the sandbox>.', 'INVALID_FILE_PATH');
  }
  if (requested.includes('\0')) throw new ApiError(400, 'The path contains a NUL byte: remove it.', 'INVALID_FILE_PATH');
  if (requested.length > MAX_PATH_LENGTH)
    throw new ApiError(400, `The path is longer than ${MAX_PATH_LENGTH} characters.`, 'INVALID_FILE_PATH');
  return posix.resolve(SANDBOX_HOME, requested.replace(/^~(?=\/|$)/, SANDBOX_HOME));
}

/** The sandbox paths of the places a sandbox can write: its volumes, its home and /tmp. */
const areaPaths = (dirs: SandboxDirs) => [...(dirs.mounts ?? []).map((mount) => mount.sandboxPath), SANDBOX_HOME, TMP];

/**
 * Where a sandbox path is reached from the host, as (sandbox path, host path) of its area. With the sandbox's root,
 * everything is (its `/`). Without: its volumes (the innermost mount holding the path wins, as inside the sandbox),
 * its home and /tmp; anything else is outside.
 */
function areaOf(scope: FileScope, sandboxPath: string): { sandboxRoot: string; hostRoot: string } | undefined {
  if (scope.root) return { sandboxRoot: '/', hostRoot: scope.root.path };
  const { dirs } = scope;
  const mounts = (dirs.mounts ?? []).map((mount) => [mount.sandboxPath, mount.hostPath] as const).reverse();
  for (const [sandboxRoot, hostRoot] of [...mounts, [SANDBOX_HOME, dirs.home] as const, [TMP, dirs.tmp] as const]) {
    if (sandboxPath === sandboxRoot || sandboxPath.startsWith(`${sandboxRoot}/`)) return { sandboxRoot, hostRoot };
  }
  return undefined;
}

/**
 * Maps a path from a toolbox request to the host. Symlinks are followed the way the sandbox itself sees them, one
 * component at a time, so the returned host path has no symlink left in it (except a last component kept with
 * `followLast: false`). With the sandbox's root (`FileScope.root`) every path is the sandbox's own: a link to `/`
 * or to a host path (another sandbox's folder, say) means that path inside the sandbox, never the host's. Without
 * it only the home, /tmp and volumes are reachable, and a link out of them is refused with 403.
 *
 * A sandbox process could still swap a folder for a symlink between this resolution and the operation that
 * follows; closing that fully needs openat2(RESOLVE_IN_ROOT), which Node does not offer. `openInside` closes it for
 * reads, writes and the files uploads create, `viaParent` for deletes, moves and new folders (one level deep: what a
 * recursive delete or copy meets further down is walked by path).
 */
export async function resolveSandboxPath(
  scopeOrDirs: FileScope | SandboxDirs,
  requested: unknown,
  options: ResolveOptions = {},
): Promise<ResolvedPath> {
  const scope: FileScope = 'dirs' in scopeOrDirs ? scopeOrDirs : { dirs: scopeOrDirs };
  const sandboxPath = normalizeSandboxPath(requested);
  const shown = String(requested);
  const followLast = options.followLast ?? true;
  let current = sandboxPath;
  let hops = 0;
  for (;;) {
    const area = areaOf(scope, current);
    if (!area) throw outsideSandbox(shown);
    const parts = current
      .slice(area.sandboxRoot.length)
      .split('/')
      .filter((part) => part.length > 0);
    let hostPath = area.hostRoot;
    let linkedTo: string | undefined;
    for (let i = 0; i < parts.length; i++) {
      const next = join(hostPath, parts[i]!);
      let stats: Stats;
      try {
        stats = await lstat(next);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
        // Nothing below a missing entry can be a symlink: the rest maps to the host by name.
        hostPath = join(next, ...parts.slice(i + 1));
        break;
      }
      if (stats.isSymbolicLink() && (followLast || i < parts.length - 1)) {
        if (++hops > MAX_SYMLINK_HOPS)
          throw new ApiError(400, `Too many levels of symbolic links in ${shown}: a symlink points back at itself.`, 'INVALID_FILE_PATH');
        const target = await readlink(next);
        linkedTo = posix.resolve(posix.join(area.sandboxRoot, ...parts.slice(0, i)), target, ...parts.slice(i + 1));
        break;
      }
      hostPath = next;
    }
    if (linkedTo !== undefined) {
      current = linkedTo;
      continue;
    }
    // Defence in depth: a name can never climb out, but check the host path as well.
    if (!isInside(area.hostRoot, hostPath)) throw outsideSandbox(shown);
    const isAreaRoot = scope.root
      ? ['/', ...areaPaths(scope.dirs)].includes(posix.join('/', relative(area.hostRoot, hostPath)))
      : hostPath === area.hostRoot;
    return { sandboxPath, hostPath, hostRoot: area.hostRoot, requested: shown, isAreaRoot, root: scope.root };
  }
}

/**
 * Opens a resolved path without following a symlink in its last component and checks that the file really is the
 * sandbox's, so a folder swapped for a symlink after `resolveSandboxPath` cannot redirect the read or write: through
 * the sandbox's root, that the file is on one of the sandbox's mounts; without, where the kernel says which file an
 * open descriptor is (Linux /proc/self/fd), that it is inside the area. A file this call created outside (O_CREAT
 * after such a swap) is removed again.
 */
export async function openInside(resolved: ResolvedPath, flags: number, mode?: number): Promise<FileHandle> {
  const handle = await open(resolved.hostPath, flags | constants.O_NOFOLLOW, mode);
  let where: string | undefined;
  try {
    where = await openedPath(handle);
    if (resolved.root) {
      if (await resolved.root.contains(handle)) return handle;
    } else if (where === undefined || isInside(await realpath(resolved.hostRoot), where)) return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
  await handle.close();
  if ((flags & constants.O_CREAT) !== 0 && where !== undefined) await unlink(where).catch(() => {});
  throw outsideSandbox(resolved.requested);
}

/**
 * Runs `op` on a resolved path through a handle on its parent folder, checked as `openInside` checks files: `op` gets
 * a path (`/proc/<provider>/fd/<n>/<name>`) the kernel resolves from that very folder, so a folder on the way swapped
 * for a symlink after `resolveSandboxPath` cannot redirect a delete, rename or mkdir to the host. The last component
 * is up to `op` (rm, rename and mkdir do not follow a symlink there).
 */
export async function viaParent<T>(resolved: ResolvedPath, op: (path: string) => Promise<T>): Promise<T> {
  if (resolved.hostPath === resolved.hostRoot || process.platform !== 'linux') return op(resolved.hostPath);
  const above = dirname(resolved.hostPath);
  // The root itself may be a /proc/<pid>/fd/<n> link: opened as its `.` (O_NOFOLLOW concerns the last component only).
  const parentPath = above === resolved.hostRoot ? `${above}/.` : above;
  const parent = await openInside({ ...resolved, hostPath: parentPath }, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    return await op(`/proc/${process.pid}/fd/${parent.fd}/${basename(resolved.hostPath)}`);
  } finally {
    await parent.close();
  }
}

/** The host path the kernel reports for an open file; undefined where there is no /proc. */
async function openedPath(handle: FileHandle): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    return (await readlink(`/proc/self/fd/${handle.fd}`)).replace(/ \(deleted\)$/, '');
  } catch {
    return undefined;
  }
}

/** Whether `path` is `root` or below it (both absolute host paths, compared by name). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}
