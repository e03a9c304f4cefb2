import { acquireFileLock, type HeldLock } from '../file-lock.ts';
import { looksLikeOurServer, processAlive } from '../process-alive.ts';
import { readRuntimeFile, removeRuntimeFile } from '../runtime-file.ts';

export interface SharedTakeoverOptions {
  runtimeFile: string;
  note(line: string): void;
  /** How long the shared server may take to stop its sandboxes before it is killed (default 60 s). */
  stopTimeoutMs?: number;
  /** The log line when it is asked to stop (default: the tray serves its clients now). */
  stopping?: string;
  /** Called before it is asked to stop (the tray takes the start lock here, so no bridge starts a server in the gap). */
  beforeStop?(): Promise<void>;
}

/**
 * The tray replaces a server that AI clients' bridges started while it was not running (`mcp --http --shared`):
 * it asks it to stop (its local sandboxes stop and their state is kept, as at a tray quit) and waits until it
 * has exited, so the tray's own server and local provider can take the runtime file and the sandboxes' data.
 * Connected bridges lose nothing: their next call finds the tray's server and replays their session there.
 * Returns whether there was one to replace.
 */
export async function replaceSharedServer(options: SharedTakeoverOptions): Promise<boolean> {
  const info = await readRuntimeFile(options.runtimeFile);
  if (!info?.shared || info.pid === process.pid || !processAlive(info.pid) || !looksLikeOurServer(info.pid, info.startedAt)) return false;
  const { pid } = info;
  await options.beforeStop?.();
  options.note(
    options.stopping ??
      `the MCP server that AI clients shared while the tray was not running (pid ${pid}) is stopping: the tray serves them now`,
  );
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return true; // gone meanwhile
  }
  const deadline = Date.now() + (options.stopTimeoutMs ?? 60_000);
  while (processAlive(pid)) {
    if (Date.now() > deadline) {
      options.note(`the shared MCP server (pid ${pid}) did not stop within ${(options.stopTimeoutMs ?? 60_000) / 1000} s: killing it`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited just now
      }
      await removeRuntimeFile(options.runtimeFile, pid);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

export interface TakeoverLock {
  /** Takes the start lock (waiting up to 60 s for a shared server that is stopping on its own); a failure is noted, not thrown. */
  hold(): Promise<void>;
  held(): boolean;
  /** Lets go of it (idempotent): the tray's server is ready, or failed, or the tray stops. */
  release(): void;
}

/**
 * The start lock, held by the tray from the moment it asks a shared server to stop until its own server has written
 * the runtime file. A bridge calling in that gap finds no server; the `mcp --http --shared` it starts waits for the
 * lock, then finds the tray's server and exits, and the bridge relays there (instead of an interim server that the
 * tray would have to replace again). The tray's own server starts inside the lock (START_LOCK_HOLDER_ENV).
 */
export function createTakeoverLock(lockFile: string, note: (line: string) => void): TakeoverLock {
  let lock: HeldLock | undefined;
  return {
    async hold() {
      if (lock) return;
      try {
        // Stale after 90 s, as every start lock: a tray stuck in a takeover does not keep the clients out for ever.
        lock = await acquireFileLock(lockFile, { waitMs: 60_000, staleMs: 90_000 });
      } catch (error) {
        note(`replacing the shared MCP server without holding the start lock: ${(error as Error).message}`);
      }
    },
    held: () => lock !== undefined,
    release() {
      const held = lock;
      lock = undefined;
      void held?.release().catch(() => {});
    },
  };
}
