import { constants, readFileSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';

/**
 * A started sandbox's filesystem as its own processes see it (its mount namespace: /usr and /etc read-only, its
 * home, /tmp and volumes), reached from the host through a directory handle on its root. The toolbox's file routes
 * work under `path`; the kernel walks the sandbox's mounts from there, so a read-only mount refuses a write (EROFS)
 * as it does inside.
 *
 * The kernel resolves an absolute symlink met on the way against the *provider's* root, not the sandbox's: callers
 * resolve symlinks themselves, by name, one component at a time (toolbox/sandbox-paths.ts), and check every file
 * they open with `contains`, which tells whether it was reached through the sandbox's own mounts. A folder swapped
 * for a symlink meanwhile lands on a host mount, which `contains` refuses.
 */
export interface SandboxRoot {
  /** A host path that is the sandbox's `/` while this root is open (`/proc/<provider>/fd/<n>`). */
  readonly path: string;
  /** Whether an open file lives on one of the sandbox's own mounts (not the host's, not another sandbox's). */
  contains(handle: FileHandle): Promise<boolean>;
  /** Lets go of the handle; `path` means nothing afterwards. */
  close(): Promise<void>;
}

/** The mount a file descriptor of this process is on (`mnt_id` in /proc/self/fdinfo, Linux 3.15+). */
export async function mountIdOf(fd: number): Promise<number | undefined> {
  return parseMountId(await readFile(`/proc/self/fdinfo/${fd}`, 'utf8').catch(() => ''));
}

function parseMountId(fdinfo: string): number | undefined {
  const match = /^mnt_id:\s*(\d+)$/m.exec(fdinfo);
  return match ? Number(match[1]) : undefined;
}

/**
 * What a sandbox's init tells about its root once started: the held root directory's fd, its mount and the
 * namespace's mounts (fixed once bwrap has set them up: nothing inside has the right to mount more there).
 */
export interface RootFacts {
  heldPath: string;
  rootMountId: number;
  mountIds: ReadonlySet<number>;
}

/**
 * The facts of the root the provider holds open as `heldFd` (`/proc/<pid>/root` of the sandbox's init `pid`,
 * which the caller checks is still its init afterwards). Undefined where the kernel does not say which mount a
 * file is on (before Linux 3.15): the file routes then keep to the sandbox's home, /tmp and volumes.
 */
export function rootFactsOf(pid: number, heldFd: number): RootFacts | undefined {
  let rootMountId: number | undefined;
  const mountIds = new Set<number>();
  try {
    rootMountId = parseMountId(readFileSync(`/proc/self/fdinfo/${heldFd}`, 'utf8'));
    // The first field of each line is the mount's id.
    for (const line of readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n')) if (line) mountIds.add(Number(line.split(' ', 1)[0]));
  } catch {
    return undefined;
  }
  if (rootMountId === undefined || !mountIds.has(rootMountId)) return undefined;
  return { heldPath: `/proc/${process.pid}/fd/${heldFd}`, rootMountId, mountIds };
}

/**
 * Opens a handle of its own on the sandbox's root, from the root directory the runner holds. Held by the caller
 * for as long as it works in there, so the path stays valid even if the sandbox stops meanwhile (the runner then
 * closes its own handle, and its fd number may go to anything else: the new handle is checked to be on the root
 * mount, so a recycled number is refused).
 */
export async function openSandboxRoot(facts: RootFacts): Promise<SandboxRoot> {
  const handle = await open(facts.heldPath, constants.O_RDONLY | constants.O_DIRECTORY);
  if ((await mountIdOf(handle.fd)) !== facts.rootMountId) {
    await handle.close();
    throw new Error('the sandbox is not running');
  }
  return {
    path: `/proc/${process.pid}/fd/${handle.fd}`,
    async contains(file) {
      const id = await mountIdOf(file.fd);
      return id !== undefined && facts.mountIds.has(id);
    },
    close: () => handle.close(),
  };
}
