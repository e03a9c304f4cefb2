import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** bwrap's --info-fd reply is a few hundred bytes (the child's pid and its namespaces' ids). */
const MAX_INFO_BYTES = 64 * 1024;

export interface InfoFile {
  /** The open file, for a child's stdio. */
  fd: number;
  /** What was written to it so far. */
  read(): string;
  close(): void;
}

/**
 * An unlinked temporary file for bwrap's --info-fd, instead of a pipe to the provider: bwrap writes it before it
 * lets the sandbox's pid 1 go on, and dies if that write fails. Into a pipe whose reader (the provider) is gone,
 * it fails: bwrap dies and leaves pid 1 waiting for it forever (bubblewrap#633). A file always takes the write.
 */
export function openInfoFile(): InfoFile {
  const path = join(tmpdir(), `daytona-tray-info-${randomBytes(8).toString('hex')}`);
  const fd = openSync(path, 'wx+', 0o600);
  unlinkSync(path);
  let closed = false;
  return {
    fd,
    read() {
      const buffer = Buffer.alloc(MAX_INFO_BYTES);
      return buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
