import busboy from 'busboy';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import { ApiError, badRequest, type DaemonErrorCode } from '../../errors.ts';
import type { SandboxDirs, SandboxRoot } from '../../sandbox-runner/index.ts';
import { openInside, resolveSandboxPath, viaParent, type FileScope, type ResolvedPath } from '../sandbox-paths.ts';
import { fsError } from './fs-errors.ts';

export interface FilesDeps {
  dirsOf(req: Request): SandboxDirs;
  /** The started sandbox's root (its whole filesystem as it sees it), opened for one request; undefined where there is none. */
  openRoot(req: Request): Promise<SandboxRoot | undefined>;
  /** Upper bound for the file bytes of one upload request. */
  maxUploadBytes: number;
}

/** Where one upload request writes: the request's scope, and its size limit. */
export interface UploadTo {
  scope: FileScope;
  maxUploadBytes: number;
}

export interface UploadError {
  status: number;
  code: DaemonErrorCode;
  message: string;
}

export interface UploadResult {
  files: { path: string; bytes: number }[];
  errors: UploadError[];
}

export type PartKind = { index: number; kind: 'path' | 'file' };

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
export function receiveUpload(
  req: Request,
  deps: UploadTo,
  classify: (field: string) => PartKind | undefined,
  knownPaths: Record<number, string> = {},
): Promise<UploadResult> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(contentType)) {
    return Promise.reject(badRequest('Upload must be multipart/form-data (fields files[i].path then files[i].file).'));
  }
  const { scope } = deps;
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
          errors.push({
            status: 400,
            code: 'BAD_REQUEST',
            message: `${name}: missing files[${part.index}].path metadata: send the path field before its file.`,
          });
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
          else
            callback(
              new ApiError(
                413,
                `Upload is larger than this provider's ${deps.maxUploadBytes}-byte limit per request: send fewer or smaller files per upload.`,
              ),
            );
        },
      });
      writers.add(limiter);
      stream.on('error', (error) => limiter.destroy(error));
      tasks.push(
        stageFile(scope, path, stream, limiter, created).then(
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
        ),
      );
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
            // Both ends through their (checked) folders: a folder swapped meanwhile cannot send the file to the host.
            await viaParent({ ...file.target, hostPath: file.tmp }, (from) => viaParent(file.target, (to) => rename(from, to)));
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

/**
 * `mkdir -p` from the path's area root down, one level at a time, each made through a handle on the folder above it
 * (viaParent: a folder swapped for a symlink meanwhile is refused, not followed); returns the first folder it
 * created. Not Node's recursive mkdir: that reports a read-only mount on the way (EROFS) as ENOENT, a "not found"
 * for a permission error.
 */
export async function makeFolders(target: ResolvedPath, hostPath: string, mode: number): Promise<string | undefined> {
  let dir = target.hostRoot;
  let first: string | undefined;
  for (const part of relative(target.hostRoot, hostPath)
    .split(sep)
    .filter((name) => name.length > 0)) {
    const next = join(dir, part);
    await viaParent({ ...target, hostPath: next }, async (at) => {
      try {
        await mkdir(at, { mode });
        first ??= next;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // Something that is not a folder is in the way: as mkdir -p, that path already exists (as a file).
        if (!(await lstat(at)).isDirectory()) throw error;
      }
    });
    dir = next;
  }
  return first;
}

/** Writes one uploaded file through `limiter` to a fresh temp file beside its target. */
async function stageFile(
  scope: FileScope,
  path: string,
  stream: Readable,
  limiter: Transform,
  created: CreatedDirs[],
): Promise<StagedFile> {
  const target = await resolveSandboxPath(scope, path);
  if (target.isAreaRoot)
    throw new ApiError(400, `${path} is one of the sandbox's root folders: upload to a file path in it.`, 'INVALID_FILE_PATH');
  const parent = dirname(target.hostPath);
  const first = await makeFolders(target, parent, 0o755);
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
