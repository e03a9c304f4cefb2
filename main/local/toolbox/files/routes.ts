import { cp, lstat, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join, posix } from 'node:path';
import { Router, json, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { ApiError, badRequest, daemonErrorBody } from '../../errors.ts';
import { SANDBOX_USER } from '../../sandbox-record.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { fileInfo } from '../file-info.ts';
import { openInside, resolveSandboxPath, viaParent, type FileScope, type ResolvedPath, type ResolveOptions } from '../sandbox-paths.ts';
import {
  byName,
  contentTypeOf,
  dispositionFilename,
  downloadBoundary,
  openFileForRead,
  readStream,
  sendBody,
  statInside,
} from './file-read.ts';
import { fsError, orFsError } from './fs-errors.ts';
import { globMatcher } from './glob.ts';
import { parseMode, queryValue, requiredPathParam } from './request-params.ts';
import { grepFile, replaceInFile, walkTree } from './tree-search.ts';
import { makeFolders, receiveUpload, type FilesDeps } from './upload.ts';

export type { FilesDeps } from './upload.ts';

type Route = (req: Request, res: Response) => Promise<void>;

/** chmod through a handle on the file itself (openInside: no symlink followed, checked to be the sandbox's). */
async function chmodInside(target: ResolvedPath, mode: number): Promise<void> {
  const handle = await openInside(target, constants.O_RDONLY | constants.O_NONBLOCK).catch(orFsError(target.requested));
  try {
    await handle.chmod(mode).catch(orFsError(target.requested));
  } finally {
    await handle.close();
  }
}

const MAX_LIST_ENTRIES = 10_000;
const MAX_SEARCH_RESULTS = 10_000;
/** The sandbox user's uid inside bubblewrap; the daemon accepts a user name or a uid. */
const SANDBOX_UID = '1000';

/** Toolbox file routes under {toolboxProxyUrl}/{id}/files (docs/daytona-api.md §6.1, §7). */
export function filesRoutes(deps: FilesDeps): Router {
  const router = Router();
  const scopes = new WeakMap<Request, FileScope>();
  /**
   * Runs a route with what its request may reach. Through a root handle of its own (the sandbox's filesystem as it
   * sees it), let go only once the route is done, clean-up included: a sandbox stopped meanwhile, or a client gone,
   * cannot turn its paths into anything else (a closed fd's number goes to the next file opened).
   */
  const withScope =
    (route: Route): RequestHandler =>
    async (req, res) => {
      const root = await deps.openRoot(req);
      scopes.set(req, { dirs: deps.dirsOf(req), root });
      try {
        await route(req, res);
      } finally {
        await root?.close();
      }
    };
  const scoped =
    (register: (path: string, ...handlers: RequestHandler[]) => unknown) =>
    (path: string, ...chain: [...RequestHandler[], Route]) => {
      const route = chain.pop() as Route;
      register(path, ...(chain as RequestHandler[]), withScope(route));
    };
  const on = { get: scoped(router.get.bind(router)), post: scoped(router.post.bind(router)), delete: scoped(router.delete.bind(router)) };
  const scopeOf = (req: Request) => {
    const scope = scopes.get(req);
    if (!scope) throw new Error('file route used without its scope');
    return scope;
  };
  const resolve = (req: Request, path: string, options?: ResolveOptions) => resolveSandboxPath(scopeOf(req), path, options);
  const uploadTo = (req: Request) => ({ scope: scopeOf(req), maxUploadBytes: deps.maxUploadBytes });

  on.get('/files', async (req, res) => {
    const path = queryValue(req, 'path') || '.';
    const depth = parseOrBadRequest(z.coerce.number().int().min(1).max(64).default(1), queryValue(req, 'depth'), "query 'depth'");
    const scope = scopeOf(req);
    const dir = await resolve(req, path);
    const stats = await stat(dir.hostPath).catch(orFsError(path));
    if (!stats.isDirectory())
      throw new ApiError(400, `${path} is a file: list its folder instead, or use get_file_info.`, 'INVALID_FILE_PATH');
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
        const shown = entry.isSymbolicLink() ? ((await statInside(scope, sandboxPath)) ?? entry) : entry;
        out.push(fileInfo(name, sandboxPath, shown));
        if (level < depth && entry.isDirectory()) await walk(hostPath, sandboxPath, level + 1);
      }
    };
    await walk(dir.hostPath, dir.sandboxPath, 1);
    res.json(out);
  });

  on.get('/files/info', async (req, res) => {
    const path = requiredPathParam(req);
    const target = await resolve(req, path);
    const stats = await stat(target.hostPath).catch(orFsError(path));
    res.json(fileInfo(posix.basename(target.sandboxPath) || '/', target.sandboxPath, stats));
  });

  on.post('/files/folder', async (req, res) => {
    const path = requiredPathParam(req);
    const mode = parseMode(queryValue(req, 'mode') || '755');
    const target = await resolve(req, path);
    await makeFolders(target, target.hostPath, mode).catch(orFsError(path));
    // mkdir's mode passes through the umask, and an existing folder keeps its own: set it explicitly.
    await chmodInside(target, mode);
    res.status(201).end();
  });

  on.post('/files/move', async (req, res) => {
    const source = requiredPathParam(req, 'source');
    const destination = requiredPathParam(req, 'destination');
    // Both ends are links themselves when they are symlinks: rename moves or replaces the link, never its target.
    const from = await resolve(req, source, { followLast: false });
    const to = await resolve(req, destination, { followLast: false });
    if (from.isAreaRoot) throw new ApiError(400, `Cannot move ${source}: it is one of the sandbox's root folders.`, 'INVALID_FILE_PATH');
    if (to.isAreaRoot)
      throw new ApiError(400, `Cannot replace ${destination}: it is one of the sandbox's root folders.`, 'INVALID_FILE_PATH');
    await lstat(from.hostPath).catch(orFsError(source));
    await viaParent(from, (fromPath) =>
      viaParent(to, (toPath) =>
        rename(fromPath, toPath).catch(async (error: unknown) => {
          if ((error as NodeJS.ErrnoException).code !== 'EXDEV') fsError(error, destination);
          // Another mount inside the sandbox (its home and /tmp, a volume): copied, then removed, as mv does.
          const copy = { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, force: true };
          await cp(fromPath, toPath, copy).catch(orFsError(destination));
          await rm(fromPath, { recursive: true }).catch(orFsError(source));
        }),
      ),
    ).catch(orFsError(destination));
    res.status(200).end();
  });

  on.delete('/files', async (req, res) => {
    const path = requiredPathParam(req);
    const recursive = queryValue(req, 'recursive') === 'true';
    // A symlink is deleted itself (even one pointing outside), never what it points at.
    const target = await resolve(req, path, { followLast: false });
    if (target.isAreaRoot)
      throw new ApiError(400, `Refusing to delete ${path}: it is one of the sandbox's root folders.`, 'INVALID_FILE_PATH');
    const stats = await lstat(target.hostPath).catch(orFsError(path));
    if (stats.isDirectory() && !recursive) {
      throw new ApiError(400, `${path} is a folder: pass recursive=true to delete it and everything in it.`, 'INVALID_FILE_PATH');
    }
    await viaParent(target, (at) => rm(at, { recursive, force: false })).catch(orFsError(path));
    res.status(204).end();
  });

  on.get('/files/download', async (req, res) => {
    const path = requiredPathParam(req);
    const { handle, size } = await openFileForRead(await resolve(req, path));
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(size));
    res.setHeader('Content-Disposition', `attachment; ${dispositionFilename(posix.basename(path))}`);
    await sendBody(res, readStream(handle, size), true);
  });

  on.post('/files/bulk-download', json({ limit: '1mb' }), async (req, res) => {
    const { paths } = parseOrBadRequest(
      z.object({ paths: z.array(z.string()).min(1).max(10_000) }),
      req.body ?? {},
      'bulk-download request',
    );
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
        const body = JSON.stringify(
          daemonErrorBody(apiError.status, apiError.message, apiError.code ?? 'INTERNAL_SERVER_ERROR', req.originalUrl, req.method),
        );
        res.write(`${header('error', 'application/json; charset=utf-8', Buffer.byteLength(body))}${body}\r\n`);
        continue;
      }
      res.write(header('file', contentTypeOf(path), opened.size));
      if (!(await sendBody(res, readStream(opened.handle, opened.size), false))) return;
      res.write('\r\n');
    }
    res.end(`--${boundary}--\r\n`);
  });

  on.post('/files/bulk-upload', async (req, res) => {
    const result = await receiveUpload(req, uploadTo(req), (field) => {
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
    res.status(status).json({
      ...daemonErrorBody(status, message, code, req.originalUrl.split('?')[0]!, req.method),
      errors: messages,
      files: result.files,
    });
  });

  /** One file in the multipart field 'file', to the `path` query parameter. */
  const uploadOne = async (req: Request) => {
    const path = requiredPathParam(req);
    const target = await resolve(req, path);
    const result = await receiveUpload(req, uploadTo(req), (field) => (field === 'file' ? { index: 0, kind: 'file' } : undefined), {
      0: path,
    });
    const error = result.errors[0];
    if (error) throw new ApiError(error.status, error.message, error.code);
    if (result.files.length === 0) throw badRequest("No file received: send the file in a multipart field named 'file'.");
    return { path, target };
  };

  on.post('/files/upload-v2', async (req, res) => {
    const { path, target } = await uploadOne(req);
    res.status(200).json({ name: posix.basename(target.sandboxPath), path: target.sandboxPath, type: contentTypeOf(path) });
  });

  // The first version of the call (FileSystemApi.uploadFile), which the daemon still serves: the same, with an empty answer.
  on.post('/files/upload', async (req, res) => {
    await uploadOne(req);
    res.status(200).end();
  });

  on.get('/files/find', async (req, res) => {
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

  on.get('/files/search', async (req, res) => {
    const path = requiredPathParam(req);
    const pattern = queryValue(req, 'pattern');
    if (!pattern) throw badRequest('A file name pattern is required: pass ?pattern=<glob such as *.py or src/**/*.ts>.');
    const root = await resolve(req, path);
    // Like the daemon (fs/search_files.go, a filepath.Walk): a missing folder has no matches, not a 404.
    if (
      !(await stat(root.hostPath).then(
        () => true,
        () => false,
      ))
    )
      return void res.json({ files: [] });
    const matches = globMatcher(pattern);
    const files: string[] = [];
    for await (const file of walkTree(root)) {
      if (files.length >= MAX_SEARCH_RESULTS) break;
      // Like the daemon: files and folders, the searched folder itself included, matched by name (a pattern with a
      // `/` by the path below the searched folder).
      if (matches(file.relative === '' ? posix.basename(file.sandboxPath) : file.relative)) files.push(file.sandboxPath);
    }
    res.json({ files });
  });

  on.post('/files/replace', json({ limit: '1mb' }), async (req, res) => {
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

  on.post('/files/permissions', async (req, res) => {
    const path = requiredPathParam(req);
    const owner = queryValue(req, 'owner');
    const group = queryValue(req, 'group');
    const mode = queryValue(req, 'mode');
    for (const [what, who] of [
      ['owner', owner],
      ['group', group],
    ] as const) {
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
    if (bits !== undefined) await chmodInside(target, bits);
    res.status(200).end();
  });

  return router;
}
