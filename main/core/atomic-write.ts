import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode for a new file (default 0o600: our state is private). An existing file keeps its own mode. */
  mode?: number;
}

const TEMP_SUFFIX = '.tmp';

/**
 * Writes `data` to `file` so that a reader (or a crash) sees either the old content or the new one,
 * never a half-written file: write a temp file in the same directory, fsync it, rename over the target,
 * then fsync the directory so the rename itself survives a power cut. A crash before the rename leaves
 * the target untouched and a `.<name>.<random>.tmp` beside it (see removeStaleTempFiles).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const mode = (await existingMode(file)) ?? options.mode ?? 0o600;
  const handle = await open(tmp, 'wx', mode);
  try {
    // open() applies the umask; chmod makes the mode exact (a 0644 file stays 0644).
    await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await fsyncDir(dir);
}

/** Removes temp files a crashed writeFileAtomic left in `dir`; returns how many it removed. */
export async function removeStaleTempFiles(dir: string): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir)) {
    if (!/^\..+\.[0-9a-f]{12}\.tmp$/.test(name)) continue;
    await rm(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

async function existingMode(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mode & 0o7777;
  } catch {
    return undefined;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  // Directories cannot be opened for fsync on Windows; the rename is still atomic there.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
