import { stat } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import { ToolFailure } from '../errors.ts';

/** A path on the user's computer that a file tool reads or writes: absolute, so it never depends on the server's cwd. */
export function requireAbsolute(localPath: string): string {
  if (!isAbsolute(localPath)) {
    throw new ToolFailure('invalid', `localPath must be an absolute path on this computer (got '${localPath}'), e.g. /home/me/report.csv.`);
  }
  return localPath;
}

/** The size of a local file to upload; fails clearly when it is missing or a folder. */
export async function localFileSize(localPath: string): Promise<number> {
  const stats = await stat(requireAbsolute(localPath)).catch((error: NodeJS.ErrnoException) => {
    throw new ToolFailure(error.code === 'ENOENT' ? 'not-found' : 'invalid', `Cannot read ${localPath} on this computer: ${error.code === 'ENOENT' ? 'no such file' : error.code ?? error.message}. Check the path.`);
  });
  if (!stats.isFile()) throw new ToolFailure('invalid', `${localPath} is not a regular file: give the path of a file to upload.`);
  return stats.size;
}

/** Checks that a download may be saved at `localPath`. */
export async function checkLocalTarget(localPath: string, overwrite: boolean): Promise<void> {
  requireAbsolute(localPath);
  const existing = await stat(localPath).catch(() => undefined);
  if (existing?.isDirectory()) throw new ToolFailure('invalid', `${localPath} is a folder on this computer: give a file path to save to, e.g. ${localPath.replace(/\/$/, '')}/name.ext.`);
  if (existing && !overwrite) throw new ToolFailure('conflict', `${localPath} already exists on this computer: pass overwrite: true to replace it, or choose another localPath.`);
  const parent = await stat(dirname(localPath)).catch(() => undefined);
  if (!parent?.isDirectory()) throw new ToolFailure('not-found', `The folder ${dirname(localPath)} does not exist on this computer: create it first or choose another localPath.`);
}
