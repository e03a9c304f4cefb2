import busboy from 'busboy';
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { chmod, lstat, mkdir, readdir, rename, rm, rmdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router, json, type Request, type Response } from 'express';
import { z } from 'zod';
import { ApiError, badRequest, daemonErrorBody, type DaemonErrorCode } from '../errors.ts';
import { SANDBOX_USER } from '../sandbox-record.ts';
import type { SandboxDirs } from '../sandbox-runner.ts';
import { parseOrBadRequest } from '../validation.ts';
import { fileInfo } from './file-info.ts';
import { openInside, resolveSandboxPath, type ResolvedPath, type ResolveOptions } from './sandbox-paths.ts';

export interface FilesDeps {
  dirsOf(req: Request): SandboxDirs;
  /** Upper bound for the file bytes of one upload request. */
  maxUploadBytes: number;
}

const MAX_LIST_ENTRIES = 10_000;
const MAX_SEARCH_RESULTS = 10_000;
/** Like Go's bufio.Scanner, a line longer than this ends the scan of its file. */
const MAX_FIND_LINE_BYTES = 1024 * 1024;
/** Replace holds a file (and its new content) in memory, so it stops at files this big. */
const MAX_REPLACE_FILE_BYTES = 64 * 1024 * 1024;
/**
 * The daemon's boundary is the constant `DAYTONA-FILE-BOUNDARY`, which breaks on a file containing that line.
 * Clients read the boundary from Content-Type, so each response gets the constant plus a random suffix.
 */
const downloadBoundary = () => `DAYTONA-FILE-BOUNDARY-${randomBytes(12).toString('hex')}`;
/** The sandbox user's uid inside bubblewrap; the daemon accepts a user name or a uid. */
const SANDBOX_UID = '1000';

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

const orFsError = (path: string) => (error: unknown): never => fsError(error, path);

/** One query parameter as a string; a repeated parameter is ambiguous, so it is refused. */
function queryValue(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`Pass the '${name}' query parameter once.`);
  return value;
}

function requiredPathParam(req: Request, name = 'path'): string {
  const value = queryValue(req, name);
  if (!value) throw new ApiError(400, `The '${name}' query parameter is required: pass ?${name}=<file or folder in the sandbox>.`, 'INVALID_FILE_PATH');
  return value;
}

/** Octal permissions as the daemon takes them (Go's os.Chmod keeps only the rwx bits of a raw number). */
function parseMode(text: string): number {
  if (!/^0*[0-7]{1,4}$/.test(text)) throw badRequest(`Invalid mode '${text}': use octal permissions such as 755 or 0644.`);
  return Number.parseInt(text, 8) & 0o777;
}

const isAreaRoot = (target: ResolvedPath) => target.hostPath === target.hostRoot;

/**
 * Opening a FIFO for reading blocks until a writer shows up, holding one of libuv's four fs threads: a sandbox
 * could park the provider with a few named pipes. O_NONBLOCK makes that open return; regular files ignore it.
 */
const READ = constants.O_RDONLY | constants.O_NONBLOCK;

/** Toolbox file routes under {toolboxProxyUrl}/{id}/files (docs/daytona-api.md §6.1, §7). */
export function filesRoutes(deps: FilesDeps): Router {
  const router = Router();
  const resolve = (req: Request, path: string, options?: ResolveOptions) => resolveSandboxPath(deps.dirsOf(req), path, options);

  router.get('/files', async (req, res) => {
    const path = queryValue(req, 'path') || '.';
    const depth = parseOrBadRequest(z.coerce.number().int().min(1).max(64).default(1), queryValue(req, 'depth'), "query 'depth'");
    const dirs = deps.dirsOf(req);
    const dir = await resolve(req, path);
    const stats = await stat(dir.hostPath).catch(orFsError(path));
    if (!stats.isDirectory()) throw new ApiError(400, `${path} is a file: list its folder instead, or use get_file_info.`, 'INVALID_FILE_PATH');
    const out: ReturnType<typeof fileInfo>[] = [];
    const walk = async (hostDir: string, sandboxDir: string, level: number): Promise<void> => {
      const entries = await readdir(hostDir).catch((error: unknown) => (level === 1 ? fsError(error, path) : []));
      entries.sort(byName);
      for (const name of entries) {
        if (out.length >= MAX_LIST_ENTRIES) return;
        const hostPath = join(hostDir, name);
        const sandboxPath = posix.join(sandboxDir, name);
        const entry = await lstat(hostPath).catch(() => undefined);
        if (!entry) continue;
        // Like the daemon (os.Stat), a symlink shows its target, but only a target inside the sandbox.
        const shown = entry.isSymbolicLink() ? ((await statInside(dirs, sandboxPath)) ?? entry) : entry;
        out.push(fileInfo(name, sandboxPath, shown));
        if (level < depth && entry.isDirectory()) await walk(hostPath, sandboxPath, level + 1);
      }
    };
    await walk(dir.hostPath, dir.sandboxPath, 1);
    res.json(out);
  });

  router.get('/files/info', async (req, res) => {
    const path = requiredPathParam(req);
    const target = await resolve(req, path);
    const stats = await stat(target.hostPath).catch(orFsError(path));
    res.json(fileInfo(posix.basename(target.sandboxPath) || '/', target.sandboxPath, stats));
  });

  router.post('/files/folder', async (req, res) => {
    const path = requiredPathParam(req);
    const mode = parseMode(queryValue(req, 'mode') || '755');
    const target = await resolve(req, path);
    await mkdir(target.hostPath, { recursive: true, mode }).catch(orFsError(path));
    // mkdir's mode passes through the umask, and an existing folder keeps its own: set it explicitly.
    await chmod(target.hostPath, mode).catch(orFsError(path));
    res.status(201).end();
  });

  router.post('/files/move', async (req, res) => {
    const source = requiredPathParam(req, 'source');
    const destination = requiredPathParam(req, 'destination');
    // Both ends are links themselves when they are symlinks: rename moves or replaces the link, never its target.
    const from = await resolve(req, source, { followLast: false });
    const to = await resolve(req, destination, { followLast: false });
    if (isAreaRoot(from)) throw new ApiError(400, `Cannot move ${source}: it is one of the sandbox's root folders.`, 'INVALID_FILE_PATH');
    if (isAreaRoot(to)) throw new ApiError(400, `Cannot replace ${destination}: it is one of the sandbox's root folders.`, 'INVALID_FILE_PATH');
    await lstat(from.hostPath).catch(orFsError(source));
    await rename(from.hostPath, to.hostPath).catch(orFsError(destination));
    res.status(200).end();
  });

  router.delete('/files', async (req, res) => {
    const path = requiredPathParam(req);
    const recursive = queryValue(req, 'recursive') === 'true';
    // A symlink is deleted itself (even one pointing outside), never what it points at.
    const target = await resolve(req, path, { followLast: false });
    if (isAreaRoot(target)) throw new ApiError(400, `Refusing to delete ${path}: it is one of the sandbox's root folders.`, 'INVALID_FILE_PATH');
    const stats = await lstat(target.hostPath).catch(orFsError(path));
    if (stats.isDirectory() && !recursive) {
      throw new ApiError(400, `${path} is a folder: pass recursive=true to delete it and everything in it.`, 'INVALID_FILE_PATH');
    }
    await rm(target.hostPath, { recursive, force: false }).catch(orFsError(path));
    res.status(204).end();
  });

  router.get('/files/download', async (req, res) => {
    const path = requiredPathParam(req);
    const { handle, size } = await openFileForRead(await resolve(req, path));
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(size));
    res.setHeader('Content-Disposition', `attachment; ${dispositionFilename(posix.basename(path))}`);
    await sendBody(res, readStream(handle, size), true);
  });

  router.post('/files/bulk-download', json({ limit: '1mb' }), async (req, res) => {
    const { paths } = parseOrBadRequest(z.object({ paths: z.array(z.string()).min(1).max(10_000) }), req.body ?? {}, 'bulk-download request');
    const boundary = downloadBoundary();
    res.status(200).setHeader('Content-Type', `multipart/form-data; boundary=${boundary}`);
    for (const path of paths) {
      if (res.destroyed) return;
      // The SDK matches parts to requests by filename, so it must be the requested string exactly.
      const header = (field: string, contentType: string, length: number) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; ${dispositionFilename(path)}\r\n` +
        `Content-Type: ${contentType}\r\nContent-Length: ${length}\r\n\r\n`;
      let opened: { handle: FileHandle; size: number };
      try {
        opened = await openFileForRead(await resolve(req, path));
      } catch (error) {
        const apiError = error instanceof ApiError ? error : new ApiError(500, `Could not read ${path}.`, 'INTERNAL_SERVER_ERROR');
        const body = JSON.stringify(daemonErrorBody(apiError.status, apiError.message, apiError.code ?? 'INTERNAL_SERVER_ERROR', req.originalUrl, req.method));
        res.write(`${header('error', 'application/json; charset=utf-8', Buffer.byteLength(body))}${body}\r\n`);
        continue;
      }
      res.write(header('file', contentTypeOf(path), opened.size));
      if (!(await sendBody(res, readStream(opened.handle, opened.size), false))) return;
      res.write('\r\n');
    }
    res.end(`--${boundary}--\r\n`);
  });

  router.post('/files/bulk-upload', async (req, res) => {
    const result = await receiveUpload(req, deps, (field) => {
      const match = /^files\[(\d+)\]\.(path|file)$/.exec(field);
      return match ? { index: Number(match[1]), kind: match[2] as 'path' | 'file' } : undefined;
    });
    if (result.errors.length === 0) {
      res.status(200).json({ files: result.files });
      return;
    }
    // One shared reason for every refused file keeps its status and code (403 FILE_ACCESS_DENIED, ...).
    const first = result.errors[0]!;
    const uniform = result.files.length === 0 && result.errors.every((e) => e.status === first.status && e.code === first.code);
    const status = uniform ? first.status : 400;
    const code = uniform ? first.code : 'BAD_REQUEST';
    const messages = result.errors.map((e) => e.message);
    const message = `${result.errors.length} file(s) not uploaded (${result.files.length} uploaded): ${messages.join('; ')}`;
    res.status(status).json({ ...daemonErrorBody(status, message, code, req.originalUrl.split('?')[0]!, req.method), errors: messages, files: result.files });
  });

  router.post('/files/upload-v2', async (req, res) => {
    const path = requiredPathParam(req);
    const target = await resolve(req, path);
    const result = await receiveUpload(req, deps, (field) => (field === 'file' ? { index: 0, kind: 'file' } : undefined), { 0: path });
    const error = result.errors[0];
    if (error) throw new ApiError(error.status, error.message, error.code);
    if (result.files.length === 0) throw badRequest("No file received: send the file in a multipart field named 'file'.");
    res.status(200).json({ name: posix.basename(target.sandboxPath), path: target.sandboxPath, type: contentTypeOf(path) });
  });

  router.get('/files/find', async (req, res) => {
    const path = requiredPathParam(req);
    const pattern = queryValue(req, 'pattern');
    if (!pattern) throw badRequest('A search pattern is required: pass ?pattern=<text to find>.');
    const root = await resolve(req, path);
    const needle = Buffer.from(pattern);
    const matches: { file: string; line: number; content: string }[] = [];
    for await (const file of walkTree(root)) {
      if (matches.length >= MAX_SEARCH_RESULTS) break;
      if (!file.stats.isFile()) continue;
      await grepFile({ ...root, hostPath: file.hostPath, requested: file.sandboxPath }, needle, (line, content) => {
        matches.push({ file: file.sandboxPath, line, content });
        return matches.length < MAX_SEARCH_RESULTS;
      });
    }
    res.json(matches);
  });

  router.get('/files/search', async (req, res) => {
    const path = requiredPathParam(req);
    const pattern = queryValue(req, 'pattern');
    if (!pattern) throw badRequest('A file name pattern is required: pass ?pattern=<glob such as *.py or src/**/*.ts>.');
    const root = await resolve(req, path);
    const matches = globMatcher(pattern);
    const files: string[] = [];
    for await (const file of walkTree(root)) {
      if (files.length >= MAX_SEARCH_RESULTS) break;
      // Like the daemon: files (and symlinks) only, matched by their path below the searched folder.
      if (!file.stats.isDirectory() && file.relative !== '' && matches(file.relative)) files.push(file.sandboxPath);
    }
    res.json({ files });
  });

  router.post('/files/replace', json({ limit: '1mb' }), async (req, res) => {
    const body = parseOrBadRequest(
      z.object({ files: z.array(z.string()).min(1).max(10_000), pattern: z.string().min(1), newValue: z.string() }),
      req.body ?? {},
      'replace request',
    );
    const pattern = Buffer.from(body.pattern);
    const replacement = Buffer.from(body.newValue);
    const results = [];
    for (const file of body.files) {
      try {
        await replaceInFile(await resolve(req, file), pattern, replacement);
        results.push({ file, success: true });
      } catch (error) {
        results.push({ file, success: false, error: error instanceof ApiError ? error.message : `Could not update ${file}.` });
      }
    }
    res.json(results);
  });

  router.post('/files/permissions', async (req, res) => {
    const path = requiredPathParam(req);
    const owner = queryValue(req, 'owner');
    const group = queryValue(req, 'group');
    const mode = queryValue(req, 'mode');
    for (const [what, who] of [['owner', owner], ['group', group]] as const) {
      if (who && who !== SANDBOX_USER && who !== SANDBOX_UID) {
        throw badRequest(
          `Local sandboxes have only one user, '${SANDBOX_USER}' (uid ${SANDBOX_UID}): the ${what} can only be '${SANDBOX_USER}' (got '${who}'). ` +
          `Leave owner and group out to change only the mode.`,
        );
      }
    }
    const bits = mode ? parseMode(mode) : undefined;
    const target = await resolve(req, path);
    await stat(target.hostPath).catch(orFsError(path));
    if (bits !== undefined) await chmod(target.hostPath, bits).catch(orFsError(path));
    res.status(200).end();
  });

  return router;
}

/**
 * Streams a file into a response whose headers are already out. A client that went away, or a read that failed
 * midway, cannot get an error body any more: the response is cut short (false) instead.
 */
async function sendBody(res: Response, body: Readable, end: boolean): Promise<boolean> {
  try {
    await pipeline(body, res, { end });
    return true;
  } catch {
    body.destroy();
    res.destroy();
    return false;
  }
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Stats of a symlink's target when it resolves inside the sandbox; undefined otherwise. */
async function statInside(dirs: SandboxDirs, sandboxPath: string): Promise<Stats | undefined> {
  try {
    return await stat((await resolveSandboxPath(dirs, sandboxPath)).hostPath);
  } catch {
    return undefined;
  }
}

async function openFileForRead(target: ResolvedPath): Promise<{ handle: FileHandle; size: number }> {
  const handle = await openInside(target, READ).catch(orFsError(target.requested));
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw new ApiError(400, `${target.requested} is a folder: download the files in it one by one.`, 'INVALID_FILE_PATH');
    if (!stats.isFile()) throw new ApiError(400, `${target.requested} is not a regular file.`, 'INVALID_FILE_PATH');
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Exactly `size` bytes (the size announced in the headers), closing the handle when done. */
function readStream(handle: FileHandle, size: number): Readable {
  if (size > 0) return handle.createReadStream({ start: 0, end: size - 1 });
  void handle.close();
  return Readable.from([]);
}

/** `filename="…"` for plain clients plus RFC 5987 `filename*` that busboy prefers, so any name round-trips. */
function dispositionFilename(name: string): string {
  const plain = name.replace(/["\\\r\n]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `filename="${plain}"; filename*=utf-8''${encoded}`;
}

interface TreeEntry {
  hostPath: string;
  sandboxPath: string;
  /** Slash path below the root ('' for the root itself). */
  relative: string;
  stats: Stats;
}

/** The root (a file or a folder) and everything below it, sorted, without following symlinks (like filepath.Walk). */
async function* walkTree(root: ResolvedPath): AsyncGenerator<TreeEntry> {
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
async function grepFile(target: ResolvedPath, needle: Buffer, onMatch: (line: number, content: string) => boolean): Promise<void> {
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
async function replaceInFile(target: ResolvedPath, pattern: Buffer, replacement: Buffer): Promise<void> {
  const handle = await openInside(target, constants.O_RDWR | constants.O_NONBLOCK).catch(orFsError(target.requested));
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ApiError(400, `${target.requested} is not a regular file.`, 'INVALID_FILE_PATH');
    if (stats.size > MAX_REPLACE_FILE_BYTES) {
      throw new ApiError(400, `${target.requested} is larger than ${MAX_REPLACE_FILE_BYTES / 1024 / 1024} MiB: edit it with a command (sed) instead.`, 'BAD_REQUEST');
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

interface UploadError {
  status: number;
  code: DaemonErrorCode;
  message: string;
}

interface UploadResult {
  files: { path: string; bytes: number }[];
  errors: UploadError[];
}

type PartKind = { index: number; kind: 'path' | 'file' };

interface StagedFile {
  target: ResolvedPath;
  tmp: string;
  bytes: number;
}

/** Parent folders an upload created, removed again (while empty) when the upload is abandoned. */
interface CreatedDirs {
  first: string;
  last: string;
}

/** A per-file failure; the daemon's messages already name the path. */
function uploadError(error: unknown, path: string): UploadError {
  try {
    fsError(error, path);
  } catch (mapped) {
    if (mapped instanceof ApiError) return { status: mapped.status, code: mapped.code ?? 'BAD_REQUEST', message: mapped.message };
  }
  return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: `${path} could not be written.` };
}

/**
 * Streams a multipart upload to disk. Each file goes to a temp file beside its target (`.<name>.<hex>.upload`);
 * only once the whole request has arrived are the temp files renamed into place, in order. A request that
 * fails as a whole (over the size limit, aborted by the client, malformed) commits nothing: its temp files and
 * the folders it created are removed, and files it would have replaced keep their content. A file refused on
 * its own (bad path) is reported in `errors` while the others are written, as the daemon does.
 */
function receiveUpload(req: Request, deps: FilesDeps, classify: (field: string) => PartKind | undefined, knownPaths: Record<number, string> = {}): Promise<UploadResult> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(contentType)) {
    return Promise.reject(badRequest('Upload must be multipart/form-data (fields files[i].path then files[i].file).'));
  }
  const dirs = deps.dirsOf(req);
  const paths: Record<number, string> = { ...knownPaths };
  const errors: UploadError[] = [];
  const tasks: Promise<StagedFile | undefined>[] = [];
  const created: CreatedDirs[] = [];
  /** Writers still receiving data; an abandoned upload destroys them so their temp files go. */
  const writers = new Set<Transform>();
  let total = 0;
  let failed: unknown;

  return new Promise<UploadResult>((resolveUpload, rejectUpload) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fieldSize: 64 * 1024, fields: 20_000, files: 10_000, parts: 30_000 } });
    } catch (error) {
      rejectUpload(badRequest(`Malformed multipart upload: ${(error as Error).message}`));
      return;
    }

    const fail = (error: unknown) => {
      if (failed) return;
      failed = error;
      req.unpipe(parser);
      // Read the rest of the request so the client gets the response instead of a reset connection.
      if (!req.destroyed) req.resume();
      void (async () => {
        for (const writer of writers) writer.destroy(error instanceof Error ? error : new Error(String(error)));
        const staged = await Promise.all(tasks);
        await Promise.all(staged.map((file) => (file ? rm(file.tmp, { force: true }) : undefined)));
        await removeCreatedDirs(created);
      })().finally(() => rejectUpload(error));
    };

    parser.on('field', (name, value, info) => {
      const part = classify(name);
      if (part?.kind !== 'path') return;
      if (info.valueTruncated) errors.push({ status: 400, code: 'INVALID_FILE_PATH', message: `${name}: the path is longer than 64 KiB.` });
      else paths[part.index] = value;
    });

    parser.on('file', (name, stream) => {
      const part = classify(name);
      const path = part?.kind === 'file' ? paths[part.index] : undefined;
      if (failed || !part || part.kind !== 'file' || path === undefined) {
        if (!failed && part?.kind === 'file') {
          errors.push({ status: 400, code: 'BAD_REQUEST', message: `${name}: missing files[${part.index}].path metadata: send the path field before its file.` });
        }
        // Unknown parts are drained; busboy only moves on once a part's stream has ended.
        stream.resume();
        return;
      }
      delete paths[part.index];
      const limiter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          total += chunk.length;
          if (total <= deps.maxUploadBytes) callback(null, chunk);
          else callback(new ApiError(413, `Upload is larger than this provider's ${deps.maxUploadBytes}-byte limit per request: send fewer or smaller files per upload.`));
        },
      });
      writers.add(limiter);
      stream.on('error', (error) => limiter.destroy(error));
      tasks.push(stageFile(dirs, path, stream, limiter, created).then(
        (staged) => {
          writers.delete(limiter);
          return staged;
        },
        (error: unknown) => {
          writers.delete(limiter);
          // Never destroy busboy's stream (it would stall the parser): detach it and let it drain.
          stream.unpipe(limiter);
          stream.resume();
          if (error instanceof ApiError && error.status === 413) fail(error);
          else if (!failed) errors.push(uploadError(error, path));
          return undefined;
        },
      ));
    });

    parser.on('error', (error: Error) => fail(badRequest(`Malformed multipart upload: ${error.message}`)));
    parser.on('finish', () => {
      void (async () => {
        const staged = await Promise.all(tasks);
        if (failed) return;
        const files: UploadResult['files'] = [];
        for (const file of staged) {
          if (!file) continue;
          try {
            await rename(file.tmp, file.target.hostPath);
            files.push({ path: file.target.sandboxPath, bytes: file.bytes });
          } catch (error) {
            await rm(file.tmp, { force: true });
            errors.push(uploadError(error, file.target.requested));
          }
        }
        resolveUpload({ files, errors });
      })().catch(fail);
    });
    const aborted = () => fail(badRequest('Upload aborted by the client.'));
    req.on('error', aborted);
    req.on('close', () => {
      if (!req.complete) aborted();
    });
    req.pipe(parser);
  });
}

/** Writes one uploaded file through `limiter` to a fresh temp file beside its target. */
async function stageFile(dirs: SandboxDirs, path: string, stream: Readable, limiter: Transform, created: CreatedDirs[]): Promise<StagedFile> {
  const target = await resolveSandboxPath(dirs, path);
  if (isAreaRoot(target)) throw new ApiError(400, `${path} is one of the sandbox's root folders: upload to a file path in it.`, 'INVALID_FILE_PATH');
  const parent = dirname(target.hostPath);
  const first = await mkdir(parent, { recursive: true, mode: 0o755 });
  if (first) created.push({ first, last: parent });
  const tmp = join(parent, `.${basename(target.hostPath)}.${randomBytes(4).toString('hex')}.upload`);
  // O_EXCL: never reuse (or follow) something a sandbox process put at the temp file's name.
  const handle = await openInside({ ...target, hostPath: tmp }, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  // The stream owns the handle: it closes it when it finishes or is destroyed.
  const sink = handle.createWriteStream();
  try {
    const writing = pipeline(limiter, sink);
    stream.pipe(limiter);
    await writing;
    return { target, tmp, bytes: sink.bytesWritten };
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Removes folders an abandoned upload created, deepest first, stopping at one that is no longer empty. */
async function removeCreatedDirs(created: CreatedDirs[]): Promise<void> {
  for (const { first, last } of created.reverse()) {
    for (let dir = last; dir.length >= first.length; dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
      if (dir === first) break;
    }
  }
}

/**
 * A search pattern as a predicate on slash paths below the searched folder. A pattern with a `/` matches the
 * whole relative path (`src/**\/*.ts`), as the daemon's doublestar match does; a pattern without one matches
 * the file name at any depth (`*.ts` finds every TypeScript file), as the SDK's docs promise.
 */
export function globMatcher(pattern: string): (relativePath: string) => boolean {
  const glob = pattern.replace(/^(\.\/)+/, '');
  const regex = globToRegExp(glob);
  if (glob.includes('/')) return (relativePath) => regex.test(relativePath);
  return (relativePath) => regex.test(relativePath.slice(relativePath.lastIndexOf('/') + 1));
}

/**
 * A glob as an anchored RegExp over slash paths: `*` and `?` stay within one path segment, `**` as a whole
 * segment spans any number of them, `[abc]`, `[a-z]`, `[!abc]`/`[^abc]` are classes, `{a,b}` alternatives
 * (nestable), and `\` escapes the next character. A `[` or `{` without its closing bracket is literal.
 */
export function globToRegExp(glob: string): RegExp {
  try {
    return new RegExp(`^${globSource(glob)}$`, 'u');
  } catch {
    // Only a reversed range such as [z-a] gets here.
    throw badRequest(`Invalid glob pattern '${glob}': check its [...] ranges.`);
  }
}

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;
const escapeRegex = (text: string) => text.replace(REGEX_SYNTAX, '\\$&');

function globSource(glob: string): string {
  const chars = [...glob];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\') {
      out += escapeRegex(chars[++i] ?? '\\');
    } else if (c === '*') {
      const double = chars[i + 1] === '*';
      const segmentStart = i === 0 || chars[i - 1] === '/';
      if (double && segmentStart && chars[i + 2] === '/') {
        out += '(?:[^/]*/)*';
        i += 2;
      } else if (double && segmentStart && i + 2 === chars.length) {
        out += '.*';
        i += 1;
      } else {
        while (chars[i + 1] === '*') i++;
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = classEnd(chars, i);
      if (end === -1) {
        out += '\\[';
      } else {
        out += classSource(chars.slice(i + 1, end));
        i = end;
      }
    } else if (c === '{') {
      const end = braceEnd(chars, i);
      if (end === -1) {
        out += '\\{';
      } else {
        out += `(?:${splitAlternatives(chars.slice(i + 1, end)).map((alt) => globSource(alt)).join('|')})`;
        i = end;
      }
    } else {
      out += escapeRegex(c);
    }
  }
  return out;
}

/** Index of the `]` closing the class opened at `open` (a `]` first in the class is a member), or -1. */
function classEnd(chars: string[], open: number): number {
  let i = open + 1;
  if (chars[i] === '!' || chars[i] === '^') i++;
  if (chars[i] === ']') i++;
  for (; i < chars.length; i++) {
    if (chars[i] === '\\') i++;
    else if (chars[i] === ']') return i;
  }
  return -1;
}

function classSource(members: string[]): string {
  const negated = members[0] === '!' || members[0] === '^';
  const first = negated ? 1 : 0;
  let body = '';
  for (let i = first; i < members.length; i++) {
    const c = members[i]!;
    if (c === '\\') body += escapeClassChar(members[++i] ?? '\\');
    // A `-` between two members is a range; first or last it is literal.
    else if (c === '-' && i > first && i < members.length - 1) body += '-';
    else body += escapeClassChar(c);
  }
  // A negated class never matches the path separator (like `*` and `?`).
  return negated ? `[^/${body}]` : `[${body}]`;
}

const escapeClassChar = (c: string) => (/[\\\]^[-]/.test(c) ? `\\${c}` : c);

function braceEnd(chars: string[], open: number): number {
  let depth = 0;
  for (let i = open; i < chars.length; i++) {
    if (chars[i] === '\\') i++;
    else if (chars[i] === '{') depth++;
    else if (chars[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function splitAlternatives(chars: string[]): string[] {
  const alternatives: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\') {
      current += c + (chars[++i] ?? '');
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    if (c === ',' && depth === 0) {
      alternatives.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  alternatives.push(current);
  return alternatives;
}

const CONTENT_TYPES: Record<string, string> = {
  txt: 'text/plain', md: 'text/markdown', json: 'application/json', js: 'text/javascript', ts: 'text/plain', py: 'text/x-python',
  html: 'text/html', css: 'text/css', csv: 'text/csv', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif',
  svg: 'image/svg+xml', pdf: 'application/pdf', zip: 'application/zip',
};
function contentTypeOf(path: string): string {
  const name = posix.basename(path);
  const dot = name.lastIndexOf('.');
  return (dot > 0 && CONTENT_TYPES[name.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}
