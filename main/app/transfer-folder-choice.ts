import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, parse, relative, resolve } from 'node:path';

export type TransferFolderCheck = { ok: true; path: string } | { ok: false; message: string };

/**
 * Checks a folder the user typed (or picked) for AI clients' host transfers. Those tools may overwrite what is
 * inside it, so it must be a folder of its own: absolute (`~/` is the home folder), not a file, and not the
 * whole disk, the home folder or a folder holding it. A folder that does not exist yet is fine: the first
 * download creates it.
 */
export async function checkTransferFolder(input: string, home: string = homedir()): Promise<TransferFolderCheck> {
  const typed = input.trim();
  const expanded = typed === '~' ? home : typed.startsWith('~/') ? join(home, typed.slice(2)) : typed;
  if (!isAbsolute(expanded)) {
    return {
      ok: false,
      message: `"${typed}" is not a full path: give the folder from the top, e.g. ${join(home, 'Downloads', 'Daytona')}.`,
    };
  }
  const path = resolve(expanded);
  const toHome = relative(path, resolve(home));
  if (path === parse(path).root || toHome === '' || (!toHome.startsWith('..') && !isAbsolute(toHome))) {
    return {
      ok: false,
      message: `${path} holds your home folder: AI clients could then read or overwrite any of your files. Choose a folder of its own, e.g. ${join(home, 'Downloads', 'Daytona')}.`,
    };
  }
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : error));
  if (info instanceof Error)
    return { ok: false, message: `Cannot open ${path} (${info.code ?? info.message}): choose a folder you can open.` };
  if (info && !info.isDirectory()) return { ok: false, message: `${path} is a file, not a folder. Choose a folder.` };
  return { ok: true, path };
}
