import type { Request } from 'express';
import { ApiError, badRequest } from '../../errors.ts';

/** One query parameter as a string; a repeated parameter is ambiguous, so it is refused. */
export function queryValue(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`Pass the '${name}' query parameter once.`);
  return value;
}

export function requiredPathParam(req: Request, name = 'path'): string {
  const value = queryValue(req, name);
  if (!value)
    throw new ApiError(
      400,
      `The '${name}' query parameter is required: pass ?${name}=<file or folder in the sandbox>.`,
      'INVALID_FILE_PATH',
    );
  return value;
}

/** Octal permissions as the daemon takes them (Go's os.Chmod keeps only the rwx bits of a raw number). */
export function parseMode(text: string): number {
  if (!/^0*[0-7]{1,4}$/.test(text)) throw badRequest(`Invalid mode '${text}': use octal permissions such as 755 or 0644.`);
  return Number.parseInt(text, 8) & 0o777;
}
