import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { stat, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { ApiError } from '../../errors.ts';
import { openInside, resolveSandboxPath, type FileScope, type ResolvedPath } from '../sandbox-paths.ts';
import { orFsError } from './fs-errors.ts';

/**
 * Opening a FIFO for reading blocks until a writer shows up, holding one of libuv's four fs threads: a sandbox
 * could park the provider with a few named pipes. O_NONBLOCK makes that open return; regular files ignore it.
 */
export const READ = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * The daemon's boundary is the constant `DAYTONA-FILE-BOUNDARY`, which breaks on a file containing that line.
 * Clients read the boundary from Content-Type, so each response gets the constant plus a random suffix.
 */
export const downloadBoundary = () => `DAYTONA-FILE-BOUNDARY-${randomBytes(12).toString('hex')}`;

/**
 * Streams a file into a response whose headers are already out. A client that went away, or a read that failed
 * midway, cannot get an error body any more: the response is cut short (false) instead.
 */
export async function sendBody(res: Response, body: Readable, end: boolean): Promise<boolean> {
  try {
    await pipeline(body, res, { end });
    return true;
  } catch {
    body.destroy();
    res.destroy();
    return false;
  }
}

export const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Stats of a symlink's target when it resolves inside the sandbox; undefined otherwise. */
export async function statInside(scope: FileScope, sandboxPath: string): Promise<Stats | undefined> {
  try {
    return await stat((await resolveSandboxPath(scope, sandboxPath)).hostPath);
  } catch {
    return undefined;
  }
}

export async function openFileForRead(target: ResolvedPath): Promise<{ handle: FileHandle; size: number }> {
  const handle = await openInside(target, READ).catch(orFsError(target.requested));
  try {
    const stats = await handle.stat();
    if (stats.isDirectory())
      throw new ApiError(400, `${target.requested} is a folder: download the files in it one by one.`, 'INVALID_FILE_PATH');
    if (!stats.isFile()) throw new ApiError(400, `${target.requested} is not a regular file.`, 'INVALID_FILE_PATH');
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Exactly `size` bytes (the size announced in the headers), closing the handle when done. */
export function readStream(handle: FileHandle, size: number): Readable {
  if (size > 0) return handle.createReadStream({ start: 0, end: size - 1 });
  void handle.close();
  return Readable.from([]);
}

/** `filename="…"` for plain clients plus RFC 5987 `filename*` that busboy prefers, so any name round-trips. */
export function dispositionFilename(name: string): string {
  const plain = name.replace(/["\\\r\n]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `filename="${plain}"; filename*=utf-8''${encoded}`;
}

const CONTENT_TYPES: Record<string, string> = {
  txt: 'text/plain',
  md: 'text/markdown',
  json: 'application/json',
  js: 'text/javascript',
  ts: 'text/plain',
  py: 'text/x-python',
  html: 'text/html',
  css: 'text/css',
  csv: 'text/csv',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  zip: 'application/zip',
};
export function contentTypeOf(path: string): string {
  const name = posix.basename(path);
  const dot = name.lastIndexOf('.');
  return (dot > 0 && CONTENT_TYPES[name.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}
