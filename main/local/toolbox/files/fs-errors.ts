import { ApiError } from '../../errors.ts';

/** Turns filesystem errors into the daemon's typed errors so the SDK raises DaytonaFileNotFoundError etc. */
export function fsError(error: unknown, path: string): never {
  if (error instanceof ApiError) throw error;
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      throw new ApiError(404, `File or folder not found: ${path}. Check the path with list_files / fs.listFiles.`, 'FILE_NOT_FOUND');
    case 'EACCES':
    case 'EPERM':
      throw new ApiError(403, `Permission denied: ${path}.`, 'FILE_ACCESS_DENIED');
    case 'EROFS':
      // The daemon's answer to a permission error; in a local sandbox /usr, /etc and the system folders are read-only.
      throw new ApiError(
        403,
        `Permission denied: ${path} is on a read-only part of the sandbox's filesystem (/usr, /etc and the system folders are).`,
        'FILE_ACCESS_DENIED',
      );
    case 'EBUSY':
      throw new ApiError(409, `${path} is in use (a mount point of the sandbox): it cannot be removed or replaced.`, 'CONFLICT');
    case 'ELOOP':
      // Paths are resolved before use, so only a last component turned into a symlink meanwhile gets here.
      throw new ApiError(403, `${path} is a symlink that changed while it was being opened: retry.`, 'FILE_ACCESS_DENIED');
    case 'EEXIST':
      throw new ApiError(409, `Already exists: ${path}.`, 'CONFLICT');
    case 'ENOTEMPTY':
      throw new ApiError(409, `Folder ${path} is not empty.`, 'CONFLICT');
    case 'ENOTDIR':
      throw new ApiError(400, `A part of ${path} is a file, not a folder.`, 'INVALID_FILE_PATH');
    case 'EISDIR':
      throw new ApiError(400, `${path} is a folder, not a file.`, 'INVALID_FILE_PATH');
    case 'EINVAL':
      throw new ApiError(400, `Invalid operation on ${path}: a folder cannot be moved into itself.`, 'INVALID_FILE_PATH');
    case 'ENAMETOOLONG':
      throw new ApiError(400, `A name in ${path} is too long.`, 'INVALID_FILE_PATH');
    case 'ENOSPC':
    case 'EDQUOT':
      throw new ApiError(500, `No space left on the disk for ${path}: free some space and retry.`, 'INTERNAL_SERVER_ERROR');
    default:
      throw error;
  }
}

export const orFsError =
  (path: string) =>
  (error: unknown): never =>
    fsError(error, path);
