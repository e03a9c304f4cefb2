import { appendFileSync, chmodSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { appDataDir } from '../app-paths.ts';

/**
 * The app's log on disk: a packaged app has no visible stderr, so the app's lines and its children's (the MCP
 * server, the local provider) go here as well, already redacted by whoever wrote them.
 *
 * Hand-written rather than a rotating-stream library on purpose: each line is appended synchronously, so a
 * crash right after a line loses nothing (a buffered stream would drop its queue), and size rotation over a few
 * files is a rename chain of a dozen lines.
 */
export interface LogFile {
  /** The file being written (older ones are `<path>.1` … `<path>.<keep>`). */
  readonly path: string;
  /** Appends one line (a newline is added); never throws: a full disk must not take the app down. */
  write(line: string): void;
}

export interface LogFileOptions {
  /** Default: `logs/daytona-tray.log` in the app data folder. */
  path?: string;
  /** Rotate once the file is larger than this (default LOG_MAX_BYTES). */
  maxBytes?: number;
  /** Rotated files kept beside the current one (default LOG_KEEP). */
  keep?: number;
  /** Where a failing write is reported (once); default nowhere. */
  onError?: (error: Error) => void;
}

export const LOG_FILE_NAME = 'daytona-tray.log';
/** Rotated files kept beside the current one: the reader (read-log.ts) looks through as many. */
export const LOG_KEEP = 3;
/** The size at which the log rotates. */
export const LOG_MAX_BYTES = 2 * 1024 * 1024;

/** The log file's default place: `<app data folder>/logs/daytona-tray.log`. */
export function defaultLogPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(appDataDir(env), 'logs', LOG_FILE_NAME);
}

export function createLogFile(options: LogFileOptions = {}): LogFile {
  const path = options.path ?? defaultLogPath();
  const maxBytes = options.maxBytes ?? LOG_MAX_BYTES;
  const keep = Math.max(1, options.keep ?? LOG_KEEP);
  let size: number | undefined;
  let failed = false;

  const rotate = () => {
    rmSync(`${path}.${keep}`, { force: true });
    for (let index = keep - 1; index >= 1; index -= 1) {
      try {
        renameSync(`${path}.${index}`, `${path}.${index + 1}`);
      } catch {
        // that generation does not exist yet
      }
    }
    renameSync(path, `${path}.1`);
    size = 0;
  };

  return {
    path,
    write(line) {
      try {
        if (size === undefined) {
          mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
          size = fileSize(path);
        }
        const text = line.endsWith('\n') ? line : `${line}\n`;
        if (size > 0 && size + Buffer.byteLength(text) > maxBytes) rotate();
        const created = size === 0;
        appendFileSync(path, text, { mode: 0o600 });
        // The log may name paths and sandbox ids: readable by this user only, whatever the umask.
        if (created) chmodSync(path, 0o600);
        size += Buffer.byteLength(text);
        failed = false;
      } catch (error) {
        size = undefined; // look again next time (the folder may have been removed)
        if (!failed) options.onError?.(error as Error);
        failed = true;
      }
    },
  };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
