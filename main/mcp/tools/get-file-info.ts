import { z } from 'zod';
import type { DaytonaPort } from '../daytona-port.ts';
import { ToolFailure } from '../errors.ts';
import { defineTool, sandboxId, sandboxPath } from '../tool-kit.ts';
import { describeEntry, entryRecord, fileEntryShape } from './file-entry-format.ts';

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Whether `path` is a symbolic link, where it points and whether that exists. Daytona's file API follows links
 * (it describes the target, and calls a dangling link missing), so the sandbox's own shell is asked.
 */
async function linkOf(daytona: DaytonaPort, id: string, path: string): Promise<{ target: string; dangling: boolean } | undefined> {
  const p = shellQuote(path);
  const probe = await daytona.executeCommand(
    id,
    `if [ -L ${p} ]; then echo link; readlink -- ${p}; if [ -e ${p} ]; then echo ok; else echo dangling; fi; else echo plain; fi`,
    { timeoutSec: 15 },
  );
  const lines = probe.output.trim().split('\n');
  if (lines[0] !== 'link' || lines.length < 3) return undefined;
  return { target: lines.slice(1, -1).join('\n'), dangling: lines.at(-1) === 'dangling' };
}

export const getFileInfo = defineTool({
  name: 'get_file_info',
  group: 'files',
  title: 'Get file info',
  description:
    'Returns the size, type (file, folder or symbolic link), permissions, owner and modification time of a path in a ' +
    'sandbox. For a link it says where it points and describes the target (or says the target is missing).',
  input: {
    id: sandboxId(),
    filePath: sandboxPath('The file or folder to describe'),
  },
  output: { ...fileEntryShape, isLink: z.boolean(), linkTarget: z.string().optional(), dangling: z.boolean().optional() },
  annotations: { title: 'Get file info', readOnlyHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    const entry = await daytona.fileInfoOrUndefined(args.id, args.filePath);
    const link = await linkOf(daytona, args.id, args.filePath);
    if (!entry) {
      if (link) {
        throw new ToolFailure(
          'not-found',
          `${args.filePath} is a symbolic link to ${link.target}, which does not exist in sandbox ${args.id} (a dangling link). delete_file removes the link; file_upload to ${link.target} creates its target.`,
        );
      }
      throw new ToolFailure(
        'not-found',
        `${args.filePath} was not found in sandbox ${args.id}: check the path with list_files (relative paths start in the sandbox home directory).`,
      );
    }
    const kind = entry.isDir ? 'Folder' : 'File';
    const head = link
      ? `Symbolic link ${args.filePath} -> ${link.target}; the target is a ${kind.toLowerCase()}:`
      : `${kind} ${entry.path ?? args.filePath}:`;
    return {
      text: `${head}\n${describeEntry(entry)}`,
      structured: { ...entryRecord(entry), isLink: link !== undefined, ...(link ? { linkTarget: link.target, dangling: false } : {}) },
    };
  },
});
