import { z } from 'zod';
import type { FileEntry } from '../daytona-port.ts';
import { formatBytes } from '../tool-kit.ts';

export const fileEntryShape = {
  name: z.string(),
  path: z.string().optional(),
  isDir: z.boolean(),
  size: z.number(),
  mode: z.string(),
  permissions: z.string(),
  owner: z.string(),
  group: z.string(),
  modifiedAt: z.string(),
};

export function entryRecord(entry: FileEntry): Record<string, unknown> {
  return { ...entry };
}

/** `drwxr-xr-x  daytona  4.0 KiB  2026-01-01T00:00:00Z  name/` */
export function describeEntry(entry: FileEntry): string {
  return `${entry.permissions || entry.mode}  ${entry.owner}  ${formatBytes(entry.size).padStart(9)}  ${entry.modifiedAt}  ${entry.name}${entry.isDir ? '/' : ''}`;
}
