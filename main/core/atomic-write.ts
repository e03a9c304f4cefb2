import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chown, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/*
 * The one way a file is replaced in this app (our state, the AI clients' config files, downloads).
 * Why not the kept library write-file-atomic (8.0.0, read for this): it does not fsync the directory, so a
 * power cut right after the rename can bring the old file back; its only hook (tmpfileCreated) runs before the
 * data is written, while the client config writer must re-check the user's file after the temp file is synced
 * and just before the rename (a check minus an fsync later misses more concurrent saves); an explicit mode
 * replaces the existing file's mode instead of applying to new files only; its temp names (`<name>.<number>`)
 * cannot be told from a user's files when a crash leaves one, so they could not be cleaned up; and it opens the
 * temp file without O_EXCL. It also brings signal-exit, which hooks every signal in each process that imports it.
 */

export interface AtomicWriteOptions {
  /** File mode for a new file (default 0o600: our state is private). An existing file keeps its own mode. */
  mode?: number;
  /**
   * Runs once the new content is written and synced, just before the rename. Throwing aborts the write with
   * the target untouched (the config writer checks here that nobody saved the file meanwhile).
   */
  beforeRename?: () => Promise<void>;
}

/** What the temp files are called: hidden, beside the target, and recognisably ours (see removeStaleTempFiles). */
const TEMP_SUFFIX = '.daytona-tray.tmp';
/** Our temp names; the form without `.daytona-tray` is the one earlier versions left behind. */
const TEMP_NAME = /^\..+\.[0-9a-f]{12}(?:\.daytona-tray)?\.tmp$/;

/**
 * Writes `data` to `file` so that a reader (or a crash) sees either the old content or the new one,
 * never a half-written file (see replaceFileAtomic).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  await replaceFileAtomic(file, (_temp, handle) => handle.writeFile(data), options);
}

/**
 * Replaces `file` with what `fill` writes into a fresh temp file in the same directory (created with O_EXCL and
 * O_NOFOLLOW, so nothing existing is written through; `fill` may write through `handle` or to the path): the
 * temp file gets the old file's mode (and, run as root, its owner), is fsynced and renamed over the target, then
 * the directory is fsynced so the rename itself survives a power cut. A failure leaves the target untouched and
 * removes the temp file; a crash before the rename leaves the target untouched and a
 * `.<name>.<random>.daytona-tray.tmp` beside it (see removeStaleTempFiles). A symbolic link at `file` is
 * replaced, not followed: callers that keep links pass the link's target.
 */
export async function replaceFileAtomic(
  file: string,
  fill: (temp: string, handle: FileHandle) => Promise<void>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const existing = await stat(file).catch(() => undefined);
  const mode = existing ? existing.mode & 0o7777 : (options.mode ?? 0o600);
  const handle = await open(temp, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    try {
      await fill(temp, handle);
      // open() applies the umask; chmod makes the mode exact (a 0644 file stays 0644).
      await handle.chmod(mode);
      if (existing && process.getuid?.() === 0) {
        // Run with sudo: the user's file stays theirs. Best effort, as a file system without owners refuses it.
        await chown(temp, existing.uid, existing.gid).catch(() => undefined);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeRename?.();
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(dir);
}

/** Removes temp files a crashed replaceFileAtomic left in `dir`; returns how many it removed. */
export async function removeStaleTempFiles(dir: string): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir)) {
    if (!TEMP_NAME.test(name)) continue;
    await rm(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

/** Makes a rename or removal in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  // Directories cannot be opened for fsync on Windows; the rename is still atomic there.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
