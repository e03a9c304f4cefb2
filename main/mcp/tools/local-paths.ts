import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { replaceFileAtomic } from '../../core/atomic-write.ts';
import { ToolFailure } from '../errors.ts';

/*
 * Host file transfers (file_download/file_upload with `localPath`) stay inside ONE folder the user chose in
 * settings. A model must never read or write anything else on the user's computer, so a path is accepted only
 * when it lies in that folder both as written and after resolving every link, and the final file is opened
 * with O_NOFOLLOW (a link there is refused, never followed).
 */

function inside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

function outsideMessage(folder: string, localPath: string, why: string): string {
  return (
    `localPath ${localPath} ${why} ${folder}, the one folder on this computer that tools may read and write ` +
    `(chosen in Daytona Tray's settings): use a path inside it, e.g. ${join(folder, 'report.csv')}, or just a file name.`
  );
}

interface Placed {
  /** The path as the model should see it (inside the folder as the user named it). */
  shown: string;
  /** The parent folder, every link resolved. */
  parentReal: string;
  name: string;
}

/**
 * Where `localPath` (absolute, or relative to the folder) lands: refuses anything outside the folder, and any
 * parent folder that a link leads out of it.
 */
async function place(folder: string, localPath: string, creating: boolean): Promise<Placed> {
  if (creating) await mkdir(folder, { recursive: true });
  const folderReal = await realpath(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new ToolFailure(
        'not-found',
        `The transfer folder ${folder} does not exist yet, so there is nothing to upload from it: ask the user to put the file there, then retry with its name.`,
      );
    }
    throw new ToolFailure('failed', `Cannot open the transfer folder ${folder} on this computer (${error.code ?? error.message}).`);
  });
  const target = resolve(folder, localPath);
  if (!inside(folder, target) && !inside(folderReal, target)) {
    throw new ToolFailure('forbidden', outsideMessage(folder, localPath, 'is outside the transfer folder'));
  }
  const shown = inside(folder, target) ? target : join(folder, relative(folderReal, target));
  const parent = dirname(target);
  const parentReal = await realpath(parent).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
      throw new ToolFailure(
        'not-found',
        `The folder ${dirname(shown)} does not exist in the transfer folder: save to an existing folder there (e.g. ${join(folder, basename(target))}), or ask the user to create it.`,
      );
    }
    throw new ToolFailure('failed', `Cannot open the folder ${dirname(shown)} on this computer (${error.code ?? error.message}).`);
  });
  if (parentReal !== folderReal && !inside(folderReal, parentReal)) {
    throw new ToolFailure('forbidden', outsideMessage(folder, localPath, 'goes through a link that leads out of the transfer folder'));
  }
  return { shown, parentReal, name: basename(target) };
}

function linkRefusal(folder: string, shown: string): ToolFailure {
  return new ToolFailure(
    'forbidden',
    `${shown} is a symbolic link; links in the transfer folder ${folder} are never followed. Use a regular file's path.`,
  );
}

/** A host file opened for reading (uploads): the handle, its size and the path to show. */
export async function openForUpload(folder: string, localPath: string): Promise<{ handle: FileHandle; size: number; shown: string }> {
  const { shown, parentReal, name } = await place(folder, localPath, false);
  let handle: FileHandle;
  try {
    handle = await open(join(parentReal, name), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw linkRefusal(folder, shown);
    if (code === 'ENOENT')
      throw new ToolFailure(
        'not-found',
        `There is no file ${shown} in the transfer folder ${folder}: check the name, or ask the user to put the file there.`,
      );
    throw new ToolFailure('invalid', `Cannot read ${shown} on this computer (${code ?? (error as Error).message}).`);
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw new ToolFailure('invalid', `${shown} is not a regular file (it is a folder or a device): give the path of a file to upload.`);
  }
  return { handle, size: stats.size, shown };
}

/**
 * Saves a download inside the folder: checks the target, then replaceFileAtomic lets `write` fill a fresh
 * temporary file beside it (created with O_EXCL, so nothing existing is written through) and renames it into
 * place (a rename replaces a name, never follows a link). A failed download leaves nothing behind.
 */
export async function saveDownload(
  folder: string,
  localPath: string,
  overwrite: boolean,
  write: (tempPath: string) => Promise<void>,
): Promise<string> {
  const { shown, parentReal, name } = await place(folder, localPath, true);
  const final = join(parentReal, name);
  const existing = await lstat(final).catch(() => undefined);
  if (existing?.isSymbolicLink()) throw linkRefusal(folder, shown);
  if (existing?.isDirectory())
    throw new ToolFailure(
      'invalid',
      `${shown} is a folder on this computer: give a file path to save to, e.g. ${join(shown, 'name.ext')}.`,
    );
  if (existing && !overwrite)
    throw new ToolFailure(
      'conflict',
      `${shown} already exists on this computer: pass overwrite: true to replace it, or choose another localPath.`,
    );
  await replaceFileAtomic(final, (temp) => write(temp));
  return shown;
}
