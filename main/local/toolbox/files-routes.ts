import busboy from 'busboy';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { Router, json, type Request } from 'express';
import { z } from 'zod';
import { ApiError, badRequest, daemonErrorBody } from '../errors.ts';
import { SANDBOX_HOME } from '../sandbox-record.ts';
import type { SandboxDirs } from '../sandbox-runner.ts';
import { parseOrBadRequest } from '../validation.ts';
import { fileInfo } from './file-info.ts';
import { resolveSandboxPath, toSandboxPath, type ResolvedPath } from './sandbox-paths.ts';

export interface FilesDeps {
  dirsOf(req: Request): SandboxDirs;
  /** Upper bound for one upload request, in bytes. */
  maxUploadBytes: number;
}

const MAX_LIST_ENTRIES = 10_000;
const MAX_SEARCH_RESULTS = 10_000;
const MAX_GREP_FILE_BYTES = 10 * 1024 * 1024;
const DOWNLOAD_BOUNDARY = 'DAYTONA-FILE-BOUNDARY';

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
    case 'EEXIST':
      throw new ApiError(409, `Already exists: ${path}.`, 'CONFLICT');
    case 'ENOTDIR':
      throw new ApiError(400, `A parent of ${path} is a file, not a folder.`, 'INVALID_FILE_PATH');
    case 'EISDIR':
      throw new ApiError(400, `${path} is a folder, not a file.`, 'INVALID_FILE_PATH');
    case 'ENOTEMPTY':
      throw new ApiError(409, `Folder ${path} is not empty: delete it with recursive=true.`, 'CONFLICT');
    default:
      throw error;
  }
}

async function statOr404(resolved: ResolvedPath, requested: string) {
  try {
    return await stat(resolved.hostPath);
  } catch (error) {
    fsError(error, requested);
  }
}

/** Toolbox file routes under {toolboxProxyUrl}/{id}/files (daytona-api.md §6.1, §7). */
export function filesRoutes(deps: FilesDeps): Router {
  const router = Router();
  const resolvePath = (req: Request, path: unknown) => resolveSandboxPath(deps.dirsOf(req), path);

  router.get('/files', async (req, res) => {
    const path = String(req.query.path ?? SANDBOX_HOME);
    const depth = parseOrBadRequest(z.coerce.number().int().min(1).max(64).default(1), req.query.depth, "query 'depth'");
    const dir = await resolvePath(req, path);
    const stats = await statOr404(dir, path);
    if (!stats.isDirectory()) throw new ApiError(400, `${path} is a file: list its folder instead, or use get_file_info.`, 'INVALID_FILE_PATH');
    const dirs = deps.dirsOf(req);
    const out: ReturnType<typeof fileInfo>[] = [];
    const walk = async (hostDir: string, level: number): Promise<void> => {
      const entries = await readdir(hostDir, { withFileTypes: true }).catch((error: unknown) => fsError(error, path));
      entries.sort((a, b) => a.name.localeCompare(b.name));
      for (const entry of entries) {
        if (out.length >= MAX_LIST_ENTRIES) return;
        const hostPath = join(hostDir, entry.name);
        const entryStats = await lstat(hostPath).catch(() => undefined);
        if (!entryStats) continue;
        out.push(fileInfo(entry.name, toSandboxPath(dirs, hostPath), entryStats));
        if (level < depth && entryStats.isDirectory()) await walk(hostPath, level + 1);
      }
    };
    await walk(dir.hostPath, 1);
    res.json(out);
  });

  router.get('/files/info', async (req, res) => {
    const path = String(req.query.path ?? '');
    const target = await resolvePath(req, path);
    const stats = await statOr404(target, path);
    res.json(fileInfo(basename(target.sandboxPath), target.sandboxPath, stats));
  });

  router.post('/files/folder', async (req, res) => {
    const path = String(req.query.path ?? '');
    const mode = parseMode(req.query.mode ?? '755');
    const target = await resolvePath(req, path);
    await mkdir(target.hostPath, { recursive: true, mode }).catch((error: unknown) => fsError(error, path));
    await chmod(target.hostPath, mode).catch((error: unknown) => fsError(error, path));
    res.status(201).end();
  });

  router.post('/files/move', async (req, res) => {
    const source = String(req.query.source ?? '');
    const destination = String(req.query.destination ?? '');
    const from = await resolvePath(req, source);
    const to = await resolvePath(req, destination);
    if (from.hostPath === from.hostRoot) throw new ApiError(400, `Cannot move ${source}: it is the sandbox's root folder.`, 'INVALID_FILE_PATH');
    await statOr404(from, source);
    await rename(from.hostPath, to.hostPath).catch((error: unknown) => fsError(error, destination));
    res.status(200).end();
  });

  router.delete('/files', async (req, res) => {
    const path = String(req.query.path ?? '');
    const recursive = req.query.recursive === 'true';
    const target = await resolvePath(req, path);
    if (target.hostPath === target.hostRoot) throw new ApiError(400, `Refusing to delete ${path}: it is the sandbox's root folder.`, 'INVALID_FILE_PATH');
    const stats = await lstat(target.hostPath).catch((error: unknown) => fsError(error, path));
    if (stats.isDirectory() && !recursive) {
      throw new ApiError(400, `${path} is a folder: pass recursive=true to delete it and everything in it.`, 'INVALID_FILE_PATH');
    }
    await rm(target.hostPath, { recursive, force: false }).catch((error: unknown) => fsError(error, path));
    res.status(204).end();
  });

  router.get('/files/download', async (req, res) => {
    const path = String(req.query.path ?? '');
    const target = await resolvePath(req, path);
    const stats = await statOr404(target, path);
    if (stats.isDirectory()) throw new ApiError(400, `${path} is a folder: download the files in it one by one.`, 'INVALID_FILE_PATH');
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(stats.size));
    res.setHeader('Content-Disposition', `attachment; filename="${encodeURIComponent(basename(path))}"`);
    await pipeline(createReadStream(target.hostPath), res);
  });

  router.post('/files/bulk-download', json({ limit: '1mb' }), async (req, res) => {
    const { paths } = parseOrBadRequest(z.object({ paths: z.array(z.string()).min(1).max(10_000) }), req.body ?? {}, 'bulk-download request');
    res.status(200).setHeader('Content-Type', `multipart/form-data; boundary=${DOWNLOAD_BOUNDARY}`);
    for (const path of paths) {
      // The SDK matches parts to requests by filename, so it must be the requested string exactly.
      const disposition = (field: string) =>
        `Content-Disposition: form-data; name="${field}"; filename="${path.replace(/["\\\r\n]/g, '_')}"; filename*=utf-8''${encodeURIComponent(path)}`;
      try {
        const target = await resolvePath(req, path);
        const stats = await statOr404(target, path);
        if (stats.isDirectory()) throw new ApiError(400, `${path} is a folder, not a file.`, 'INVALID_FILE_PATH');
        res.write(`--${DOWNLOAD_BOUNDARY}\r\n${disposition('file')}\r\nContent-Type: ${contentTypeOf(path)}\r\nContent-Length: ${stats.size}\r\n\r\n`);
        await pipeline(createReadStream(target.hostPath), res, { end: false });
        res.write('\r\n');
      } catch (error) {
        const apiError = error instanceof ApiError ? error : new ApiError(500, `Could not read ${path}.`, 'INTERNAL_SERVER_ERROR');
        const body = JSON.stringify(daemonErrorBody(apiError.status, apiError.message, apiError.code ?? 'INTERNAL_SERVER_ERROR', req.originalUrl, req.method));
        res.write(`--${DOWNLOAD_BOUNDARY}\r\n${disposition('error')}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}\r\n`);
      }
    }
    res.end(`--${DOWNLOAD_BOUNDARY}--\r\n`);
  });

  router.post('/files/bulk-upload', async (req, res) => {
    const result = await receiveUpload(req, deps, (field) => {
      const match = /^files\[(\d+)\]\.(path|file)$/.exec(field);
      return match ? { index: Number(match[1]), kind: match[2] as 'path' | 'file' } : undefined;
    });
    if (result.errors.length > 0) res.status(400).json(result);
    else res.status(200).json({ files: result.files });
  });

  router.post('/files/upload-v2', async (req, res) => {
    const path = String(req.query.path ?? '');
    const target = await resolvePath(req, path);
    const result = await receiveUpload(req, deps, (field) => (field === 'file' ? { index: 0, kind: 'file' } : undefined), { 0: path });
    if (result.errors.length > 0) throw new ApiError(400, result.errors.join('; '), 'BAD_REQUEST');
    res.status(200).json({ name: basename(target.sandboxPath), path: target.sandboxPath, type: contentTypeOf(path) });
  });

  router.get('/files/find', async (req, res) => {
    const path = String(req.query.path ?? SANDBOX_HOME);
    const pattern = String(req.query.pattern ?? '');
    if (!pattern) throw badRequest("A search pattern is required: pass ?pattern=<text or regular expression>.");
    const root = await resolvePath(req, path);
    await statOr404(root, path);
    const matcher = toMatcher(pattern);
    const dirs = deps.dirsOf(req);
    const matches: { file: string; line: number; content: string }[] = [];
    for await (const hostFile of walkFiles(root.hostPath)) {
      if (matches.length >= MAX_SEARCH_RESULTS) break;
      const stats = await stat(hostFile).catch(() => undefined);
      if (!stats || stats.size > MAX_GREP_FILE_BYTES) continue;
      const buffer = await readFile(hostFile).catch(() => undefined);
      if (!buffer || buffer.includes(0)) continue;
      const lines = buffer.toString('utf8').split('\n');
      lines.forEach((content, i) => {
        if (matches.length < MAX_SEARCH_RESULTS && matcher(content)) matches.push({ file: toSandboxPath(dirs, hostFile), line: i + 1, content });
      });
    }
    res.json(matches);
  });

  router.get('/files/search', async (req, res) => {
    const path = String(req.query.path ?? SANDBOX_HOME);
    const pattern = String(req.query.pattern ?? '');
    if (!pattern) throw badRequest('A file name pattern is required: pass ?pattern=<glob such as *.py>.');
    const root = await resolvePath(req, path);
    await statOr404(root, path);
    const glob = globToRegExp(pattern);
    const dirs = deps.dirsOf(req);
    const files: string[] = [];
    for await (const hostFile of walkFiles(root.hostPath, true)) {
      if (files.length >= MAX_SEARCH_RESULTS) break;
      if (glob.test(basename(hostFile))) files.push(toSandboxPath(dirs, hostFile));
    }
    res.json({ files });
  });

  router.post('/files/replace', json({ limit: '1mb' }), async (req, res) => {
    const body = parseOrBadRequest(z.object({ files: z.array(z.string()).min(1), pattern: z.string().min(1), newValue: z.string() }), req.body ?? {}, 'replace request');
    const results = [];
    for (const file of body.files) {
      try {
        const target = await resolvePath(req, file);
        const text = await readFile(target.hostPath, 'utf8').catch((error: unknown) => fsError(error, file));
        await writeFile(target.hostPath, text.split(body.pattern).join(body.newValue));
        results.push({ file, success: true });
      } catch (error) {
        results.push({ file, success: false, error: error instanceof Error ? error.message : String(error) });
      }
    }
    res.json(results);
  });

  router.post('/files/permissions', async (req, res) => {
    const path = String(req.query.path ?? '');
    const target = await resolvePath(req, path);
    await statOr404(target, path);
    for (const who of [req.query.owner, req.query.group]) {
      if (who !== undefined && who !== '' && who !== 'daytona') {
        throw badRequest(`Local sandboxes have one user, 'daytona': owner and group can only be 'daytona' (got '${String(who)}').`);
      }
    }
    if (req.query.mode !== undefined && req.query.mode !== '') await chmod(target.hostPath, parseMode(req.query.mode));
    res.status(200).end();
  });

  return router;
}

function parseMode(value: unknown): number {
  const text = String(value);
  if (!/^0?[0-7]{3,4}$/.test(text)) throw badRequest(`Invalid mode '${text}': use octal permissions such as 755 or 0644.`);
  return Number.parseInt(text, 8);
}

interface UploadResult {
  files: { path: string; bytes: number }[];
  errors: string[];
}

type PartKind = { index: number; kind: 'path' | 'file' };

/**
 * Streams a multipart upload to disk. Each file goes to a temp file beside its target and is renamed into
 * place only when complete, so an interrupted upload never leaves a half-written file behind.
 */
function receiveUpload(req: Request, deps: FilesDeps, classify: (field: string) => PartKind | undefined, knownPaths: Record<number, string> = {}): Promise<UploadResult> {
  const contentType = req.headers['content-type'] ?? '';
  if (!contentType.startsWith('multipart/form-data')) {
    return Promise.reject(badRequest('Upload must be multipart/form-data (fields files[i].path then files[i].file).'));
  }
  const dirs = deps.dirsOf(req);
  const paths: Record<number, string> = { ...knownPaths };
  const result: UploadResult = { files: [], errors: [] };
  const writes: Promise<void>[] = [];
  let total = 0;
  return new Promise<UploadResult>((resolveUpload, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fieldSize: 64 * 1024, fields: 100_000, files: 100_000 } });
    } catch (error) {
      reject(badRequest(`Malformed multipart upload: ${(error as Error).message}`));
      return;
    }
    let failed: unknown;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = error;
      req.unpipe(parser);
      req.resume();
      reject(error);
    };
    parser.on('field', (name, value) => {
      const part = classify(name);
      if (part?.kind === 'path') paths[part.index] = value;
    });
    parser.on('file', (name, stream) => {
      const part = classify(name);
      const path = part ? paths[part.index] : undefined;
      if (!part || path === undefined) {
        if (part) result.errors.push(`missing ${name.replace('.file', '.path')} metadata: send the path field before its file`);
        stream.resume();
        return;
      }
      writes.push((async () => {
        let tmp: string | undefined;
        try {
          const target = await resolveSandboxPath(dirs, path);
          await mkdir(dirname(target.hostPath), { recursive: true, mode: 0o755 });
          tmp = join(dirname(target.hostPath), `.${basename(target.hostPath)}.${randomBytes(4).toString('hex')}.upload`);
          let bytes = 0;
          stream.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            total += chunk.length;
            if (total > deps.maxUploadBytes) stream.destroy(new ApiError(413, `Upload is larger than the ${deps.maxUploadBytes}-byte limit: split it into smaller uploads.`));
          });
          await pipeline(stream, createWriteStream(tmp, { mode: 0o644 }));
          await rename(tmp, target.hostPath);
          tmp = undefined;
          result.files.push({ path: target.sandboxPath, bytes });
        } catch (error) {
          stream.resume();
          if (error instanceof ApiError && error.status === 413) fail(error);
          else result.errors.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          if (tmp) await rm(tmp, { force: true });
        }
      })());
    });
    parser.on('error', (error: Error) => fail(badRequest(`Malformed multipart upload: ${error.message}`)));
    parser.on('close', () => {
      void Promise.all(writes).then(() => {
        if (!failed) resolveUpload(result);
      }, fail);
    });
    req.on('aborted', () => fail(badRequest('Upload aborted by the client.')));
    req.pipe(parser);
  });
}

async function* walkFiles(root: string, includeDirs = false): AsyncGenerator<string> {
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (includeDirs) yield full;
        stack.push(full);
      } else if (entry.isFile()) {
        yield full;
      }
    }
  }
}

function toMatcher(pattern: string): (line: string) => boolean {
  try {
    const regex = new RegExp(pattern);
    return (line) => regex.test(line);
  } catch {
    return (line) => line.includes(pattern);
  }
}

/** A file-name glob (`*`, `?`, `[abc]`) as a RegExp matched against base names, like the daemon's filepath.Match. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) out += '\\[';
      else {
        out += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

const CONTENT_TYPES: Record<string, string> = {
  txt: 'text/plain', md: 'text/markdown', json: 'application/json', js: 'text/javascript', ts: 'text/plain', py: 'text/x-python',
  html: 'text/html', css: 'text/css', csv: 'text/csv', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif',
  svg: 'image/svg+xml', pdf: 'application/pdf', zip: 'application/zip',
};
function contentTypeOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

