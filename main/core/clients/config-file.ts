import { lstat, mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir, writeFileAtomic } from '../atomic-write.ts';
import type { RootParser } from './config-format.ts';
import { isStrictJson, parseRoot } from './config-text.ts';
import { ClientSetupError } from './types.ts';

/**
 * The safe writer for AI clients' JSON config files. These files belong to the user and to the client:
 * read leniently, refuse to touch what we cannot parse, change only our entry, and never lose a byte
 * (backup once, temp file + rename, abort if someone else saved the file meanwhile).
 */

/** What we read, kept to detect a concurrent change and to plan the edit. */
export interface ConfigSnapshot {
  /** The path as the client names it (may be a symlink). */
  file: string;
  /** The file actually written: the symlink's target, or `file`. */
  target: string;
  exists: boolean;
  /** The exact bytes read (null when the file did not exist). */
  raw: Buffer | null;
  /** The text without a UTF-8 BOM. */
  text: string;
  root: Record<string, unknown>;
  /** The file was strict JSON (no BOM, comments or trailing commas). */
  strict: boolean;
  /** Permission bits of the existing file. */
  mode: number | null;
}

export const BACKUP_SUFFIX = '.daytona-tray.bak';
/** New config files hold other servers' env (often secrets): private by default. */
const NEW_FILE_MODE = 0o600;

/** Reads a config file leniently; a missing file reads as `{}`. Throws ClientSetupError for anything else odd. */
export async function readConfigFile(file: string, format: RootParser = { label: 'JSON', parse: parseRoot }): Promise<ConfigSnapshot> {
  const target = await resolveTarget(file);
  let info;
  try {
    info = await stat(target);
  } catch (error) {
    if (code(error) === 'ENOENT') return { file, target, exists: false, raw: null, text: '', root: {}, strict: true, mode: null };
    throw ioError(error, 'read', file);
  }
  if (info.isDirectory()) {
    throw new ClientSetupError(
      'NOT_A_FILE',
      `${file} is a directory, but it should be a ${format.label} file. Move the directory away (or remove it if it is empty), then retry.`,
      file,
    );
  }
  if (!info.isFile()) throw new ClientSetupError('NOT_A_FILE', `${file} is not a regular file; move it away, then retry.`, file);
  let raw: Buffer;
  try {
    raw = await readFile(target);
  } catch (error) {
    throw ioError(error, 'read', file);
  }
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new ClientSetupError(
      'NOT_UTF8',
      `${file} is not UTF-8 text, so it was left as it is. Save it as UTF-8 (or move it away), then retry.`,
      file,
    );
  }
  const hasBom = decoded.startsWith('\uFEFF');
  const text = hasBom ? decoded.slice(1) : decoded;
  const root = format.parse(text, file);
  return {
    file,
    target,
    exists: true,
    raw,
    text,
    root,
    strict: !hasBom && isStrictJson(text),
    mode: info.mode & 0o7777,
  };
}

export interface CommitOptions {
  /** Create missing parent folders (only for a client that is installed). */
  createParents: boolean;
  /** Test seam: runs after the temp file is written, just before the re-read and rename. */
  beforeRename?: () => Promise<void>;
}

export interface CommitResult {
  /** The backup made now; undefined when the file was new or a backup already existed. */
  backup?: string;
}

/**
 * Writes `text` over the snapshot's file: back up once, then writeFileAtomic (temp file in the same folder with
 * the old mode and owner, fsync, rename, fsync the folder), re-reading and comparing with what we planned from
 * just before the rename. Throws with nothing
 * changed when the file is read-only, its folder is missing, or it changed since the snapshot.
 * (A save landing between the re-read and the rename, a window of microseconds, cannot be seen without a
 * lock, and the clients take none.)
 */
export async function commitChange(snapshot: ConfigSnapshot, text: string, options: CommitOptions): Promise<CommitResult> {
  const { file, target } = snapshot;
  const dir = dirname(target);
  if (snapshot.exists && snapshot.mode !== null && (snapshot.mode & 0o222) === 0) {
    throw new ClientSetupError(
      'READ_ONLY',
      `${file} is read-only, so it was left as it is. Make it writable (e.g. chmod u+w '${target}'), then retry.`,
      file,
    );
  }
  if (!snapshot.exists) {
    try {
      if (!(await stat(dir)).isDirectory())
        throw new ClientSetupError('NOT_A_FILE', `${dir} is not a folder; cannot create ${file}.`, file);
    } catch (error) {
      if (error instanceof ClientSetupError) throw error;
      if (code(error) !== 'ENOENT') throw ioError(error, 'check', file);
      if (!options.createParents) {
        throw new ClientSetupError(
          'NO_PARENT',
          `The folder ${dir} does not exist, so ${file} was not created. Install and start the client once, then retry.`,
          file,
        );
      }
      await mkdir(dir, { recursive: true }).catch((e: unknown) => {
        throw ioError(e, 'create the folder for', file);
      });
    }
  }

  const backup = await backupOnce(snapshot);

  try {
    await writeFileAtomic(target, text, {
      mode: NEW_FILE_MODE,
      beforeRename: async () => {
        await options.beforeRename?.();
        await assertUnchanged(snapshot);
      },
    });
  } catch (error) {
    // Nothing changed, so the backup we just made would be "before Daytona Tray's first change" too early.
    if (backup) await rm(backup, { force: true });
    if (error instanceof ClientSetupError) throw error;
    throw ioError(error, 'write', file);
  }
  return backup === undefined ? {} : { backup };
}

/**
 * Backs the file up before Daytona Tray's first change to it: the bytes read (not a fresh copy), exactly what
 * the change replaces. 'wx': the first backup is kept forever. The path when made now, else undefined.
 */
export async function backupOnce(snapshot: ConfigSnapshot): Promise<string | undefined> {
  if (!snapshot.exists || !snapshot.raw) return undefined;
  const path = `${snapshot.target}${BACKUP_SUFFIX}`;
  try {
    await writeFile(path, snapshot.raw, { flag: 'wx', mode: snapshot.mode ?? NEW_FILE_MODE });
    return path;
  } catch (error) {
    if (code(error) !== 'EEXIST') throw ioError(error, 'back up', snapshot.file);
    return undefined;
  }
}

/** Whether Daytona Tray's first change to this file left a backup (so the file existed before it). */
export async function hasBackup(snapshot: ConfigSnapshot): Promise<boolean> {
  return stat(`${snapshot.target}${BACKUP_SUFFIX}`).then(
    () => true,
    () => false,
  );
}

/**
 * Removes a file that Daytona Tray created and that holds nothing else any more (unsetup leaves things as it
 * found them). Aborts with nothing changed when someone saved the file since the snapshot.
 */
export async function removeConfigFile(snapshot: ConfigSnapshot): Promise<void> {
  await assertUnchanged(snapshot);
  await rm(snapshot.target).catch((error: unknown) => {
    throw ioError(error, 'remove', snapshot.file);
  });
  await fsyncDir(dirname(snapshot.target));
}

async function assertUnchanged(snapshot: ConfigSnapshot): Promise<void> {
  let now: Buffer | null;
  try {
    now = await readFile(snapshot.target);
  } catch (error) {
    if (code(error) !== 'ENOENT') throw ioError(error, 're-read', snapshot.file);
    now = null;
  }
  const same = now === null ? snapshot.raw === null : snapshot.raw !== null && now.equals(snapshot.raw);
  if (!same) {
    throw new ClientSetupError(
      'CONCURRENT_CHANGE',
      `${snapshot.file} was changed by another program while we were updating it, so we wrote nothing and kept its new content. Retry in a moment (close the client's settings editor if it is open).`,
      snapshot.file,
    );
  }
}

/** Follows a symlinked config file to the file it points at (we write the target and keep the link). */
async function resolveTarget(file: string): Promise<string> {
  let info;
  try {
    info = await lstat(file);
  } catch (error) {
    if (code(error) === 'ENOENT') return file;
    throw ioError(error, 'read', file);
  }
  if (!info.isSymbolicLink()) return file;
  try {
    return await realpath(file);
  } catch (error) {
    if (code(error) === 'ENOENT') {
      throw new ClientSetupError(
        'NOT_A_FILE',
        `${file} is a symbolic link to a file that does not exist. Fix or remove the link, then retry.`,
        file,
      );
    }
    throw ioError(error, 'read', file);
  }
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function ioError(error: unknown, verb: string, file: string): ClientSetupError {
  const c = code(error);
  if (c === 'EACCES' || c === 'EPERM' || c === 'EROFS') {
    return new ClientSetupError(
      'READ_ONLY',
      `No permission to ${verb} ${file} (${c}). Check the file's and its folder's permissions, then retry.`,
      file,
    );
  }
  return new ClientSetupError('IO', `Could not ${verb} ${file}: ${(error as Error).message}`, file);
}
