import { constants, type Stats } from 'node:fs';
import { lstat, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { ApiError } from '../../errors.ts';
import { openInside, type ResolvedPath } from '../sandbox-paths.ts';
import { byName, READ } from './file-read.ts';
import { orFsError } from './fs-errors.ts';

/** Like Go's bufio.Scanner, a line longer than this ends the scan of its file. */
const MAX_FIND_LINE_BYTES = 1024 * 1024;
/** Replace holds a file (and its new content) in memory, so it stops at files this big. */
const MAX_REPLACE_FILE_BYTES = 64 * 1024 * 1024;

export interface TreeEntry {
  hostPath: string;
  sandboxPath: string;
  /** Slash path below the root ('' for the root itself). */
  relative: string;
  stats: Stats;
}

/** The root (a file or a folder) and everything below it, sorted, without following symlinks (like filepath.Walk). */
export async function* walkTree(root: ResolvedPath): AsyncGenerator<TreeEntry> {
  const stats = await stat(root.hostPath).catch(orFsError(root.requested));
  yield { hostPath: root.hostPath, sandboxPath: root.sandboxPath, relative: '', stats };
  if (stats.isDirectory()) yield* walkBelow(root, root.hostPath, '');
}

async function* walkBelow(root: ResolvedPath, hostDir: string, relativeDir: string): AsyncGenerator<TreeEntry> {
  const names = (await readdir(hostDir).catch(() => [] as string[])).sort(byName);
  for (const name of names) {
    const hostPath = join(hostDir, name);
    const relative = relativeDir ? `${relativeDir}/${name}` : name;
    const stats = await lstat(hostPath).catch(() => undefined);
    if (!stats) continue;
    yield { hostPath, sandboxPath: posix.join(root.sandboxPath, relative), relative, stats };
    if (stats.isDirectory()) yield* walkBelow(root, hostPath, relative);
  }
}

/**
 * Calls `onMatch` for each line containing `needle` (a literal, like the daemon's strings.Contains). Files whose
 * first 512 bytes hold a NUL are binary and skipped; lines end at \n with a trailing \r dropped.
 */
export async function grepFile(target: ResolvedPath, needle: Buffer, onMatch: (line: number, content: string) => boolean): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await openInside(target, READ);
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      return;
    }
  } catch {
    return;
  }
  // The stream owns the handle and closes it when it ends or is destroyed.
  const input = handle.createReadStream({ highWaterMark: 64 * 1024 });
  try {
    let pending: Buffer = Buffer.alloc(0);
    let lineNumber = 0;
    let first = true;
    const emit = (line: Buffer): boolean => {
      lineNumber++;
      const text = line.at(-1) === 0x0d ? line.subarray(0, -1) : line;
      return !text.includes(needle) || onMatch(lineNumber, text.toString('utf8'));
    };
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (first) {
        first = false;
        if (chunk.subarray(0, 512).includes(0)) return;
      }
      pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let start = 0;
      for (let nl = pending.indexOf(0x0a); nl !== -1; nl = pending.indexOf(0x0a, start)) {
        if (!emit(pending.subarray(start, nl))) return;
        start = nl + 1;
      }
      pending = pending.subarray(start);
      if (pending.length > MAX_FIND_LINE_BYTES) return;
    }
    if (pending.length > 0) emit(pending);
  } finally {
    input.destroy();
  }
}

/** Replaces every occurrence of `pattern` in place, byte for byte (bytes that are not UTF-8 survive). */
export async function replaceInFile(target: ResolvedPath, pattern: Buffer, replacement: Buffer): Promise<void> {
  const handle = await openInside(target, constants.O_RDWR | constants.O_NONBLOCK).catch(orFsError(target.requested));
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ApiError(400, `${target.requested} is not a regular file.`, 'INVALID_FILE_PATH');
    if (stats.size > MAX_REPLACE_FILE_BYTES) {
      throw new ApiError(
        400,
        `${target.requested} is larger than ${MAX_REPLACE_FILE_BYTES / 1024 / 1024} MiB: edit it with a command (sed) instead.`,
        'BAD_REQUEST',
      );
    }
    const content = await handle.readFile();
    const pieces: Buffer[] = [];
    let start = 0;
    for (let at = content.indexOf(pattern); at !== -1; at = content.indexOf(pattern, start)) {
      pieces.push(content.subarray(start, at), replacement);
      start = at + pattern.length;
    }
    if (pieces.length === 0) return;
    pieces.push(content.subarray(start));
    const updated = Buffer.concat(pieces);
    await handle.truncate(0);
    await handle.write(updated, 0, updated.length, 0);
  } finally {
    await handle.close();
  }
}
