import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { ToolFailure } from '../errors.ts';
import { defineTool, formatBytes, sandboxId, sandboxPath } from '../tool-kit.ts';
import { checkLocalTarget } from './local-paths.ts';

const IMAGE_MAGIC: { mime: string; test: (b: Buffer) => boolean }[] = [
  { mime: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mime: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: 'image/gif', test: (b) => b.subarray(0, 4).toString('latin1') === 'GIF8' },
  { mime: 'image/webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

/** UTF-8 without NUL bytes reads as text; anything else is returned as base64. */
export function looksLikeText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export const fileDownload = defineTool({
  name: 'file_download',
  group: 'files',
  title: 'Download a file',
  description:
    'Reads a file from a sandbox: text comes back as text, images as images, other binary files as base64. Files above ' +
    'the inline limit (1 MiB by default) are refused unless `localPath` names where to save them on this computer.',
  input: {
    id: sandboxId(),
    filePath: sandboxPath('The file to read in the sandbox'),
    encoding: z.enum(['auto', 'text', 'base64']).default('auto').describe('"auto" (default: text when the file is UTF-8, else base64 or an image), "text" or "base64".'),
    localPath: z.string().min(1).optional().describe('Save the file at this absolute path on this computer instead of returning it (any size).'),
    overwrite: z.boolean().default(false).describe('With localPath: replace an existing local file (default false).'),
  },
  annotations: { title: 'Download a file', readOnlyHint: true, openWorldHint: true },
  async run(args, { daytona, limits }) {
    if (args.localPath !== undefined) {
      await checkLocalTarget(args.localPath, args.overwrite);
      const info = await daytona.fileInfo(args.id, args.filePath);
      if (info.isDir) throw new ToolFailure('invalid', `${args.filePath} is a folder: download the files in it one by one (list_files shows them).`);
      await daytona.downloadFile(args.id, args.filePath, args.localPath);
      const size = (await stat(args.localPath)).size;
      return {
        text: `Saved ${args.filePath} from sandbox ${args.id} to ${args.localPath} (${formatBytes(size)}).`,
        structured: { path: args.filePath, size, savedTo: args.localPath },
      };
    }
    const info = await daytona.fileInfo(args.id, args.filePath);
    if (info.isDir) throw new ToolFailure('invalid', `${args.filePath} is a folder: use list_files to see what is in it.`);
    if (info.size > limits.maxInlineBytes) {
      throw new ToolFailure('too-large',
        `${args.filePath} is ${formatBytes(info.size)}, above the ${formatBytes(limits.maxInlineBytes)} limit for returning a file inline: ` +
        'pass localPath (an absolute path on this computer) to save it there, or read part of it with execute_command (e.g. head -c).');
    }
    const bytes = (await daytona.downloadFile(args.id, args.filePath)) ?? Buffer.alloc(0);
    const base = { path: args.filePath, size: bytes.length };
    const image = args.encoding === 'auto' ? IMAGE_MAGIC.find((candidate) => candidate.test(bytes)) : undefined;
    if (image) {
      return {
        text: `${args.filePath}: ${image.mime}, ${formatBytes(bytes.length)} (attached as an image).`,
        content: [{ type: 'image', data: bytes.toString('base64'), mimeType: image.mime }],
        structured: { ...base, encoding: 'base64', mimeType: image.mime },
      };
    }
    const asText = args.encoding === 'text' || (args.encoding === 'auto' && looksLikeText(bytes));
    return asText
      ? { text: bytes.toString('utf8'), structured: { ...base, encoding: 'text' } }
      : { text: bytes.toString('base64'), structured: { ...base, encoding: 'base64' } };
  },
});
