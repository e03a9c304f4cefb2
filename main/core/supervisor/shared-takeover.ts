import { looksLikeOurServer, processAlive } from '../process-alive.ts';
import { readRuntimeFile, removeRuntimeFile } from '../runtime-file.ts';

export interface SharedTakeoverOptions {
  runtimeFile: string;
  note(line: string): void;
  /** How long the shared server may take to stop its sandboxes before it is killed (default 60 s). */
  stopTimeoutMs?: number;
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
  options.note(`the MCP server that AI clients shared while the tray was not running (pid ${pid}) is stopping: the tray serves them now`);
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
