import { spawn } from 'node:child_process';
import { cp, mkdir } from 'node:fs/promises';

/** A copy of a large home directory may take a while; past this it is given up (and the fork with it). */
const COPY_TIMEOUT_MS = 10 * 60_000;

/**
 * Copies a sandbox's directory tree for a fork. On Linux, `cp -a --reflink=auto` shares the blocks on a
 * filesystem that can (btrfs, XFS: copy-on-write, instant) and copies them elsewhere; node's fs.cp elsewhere.
 * Returns how it copied, for the log.
 */
export async function copyTree(from: string, to: string): Promise<string> {
  await mkdir(to, { recursive: true });
  if (process.platform !== 'linux') {
    await cp(from, to, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, force: false, errorOnExist: false });
    return 'copied with fs.cp';
  }
  await new Promise<void>((resolve, reject) => {
    // "from/." copies the contents into the existing `to`; -a keeps modes, times and symlinks as they are.
    const child = spawn('cp', ['-a', '--reflink=auto', '--', `${from}/.`, to], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: COPY_TIMEOUT_MS,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`copying the sandbox's files failed (cp ${signal ?? `exit ${code}`}): ${stderr.trim() || 'no message'}`));
    });
  });
  return 'copied with cp --reflink=auto (copy-on-write where the filesystem shares blocks)';
}
