import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { ToolFailure } from '../errors.ts';
import { withProgress, type CallContext } from '../call-context.ts';
import type { Transfer } from '../daytona-port.ts';
import { defineTool, formatBytes, sandboxId, sandboxPath } from '../tool-kit.ts';
import { saveDownload } from './local-paths.ts';

const IMAGE_MAGIC: { mime: string; test: (b: Buffer) => boolean }[] = [
  { mime: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mime: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: 'image/gif', test: (b) => b.subarray(0, 4).toString('latin1') === 'GIF8' },
  { mime: 'image/webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

/** A name for common binary types, so a caption can say what the base64 holds. */
const BINARY_MAGIC: { type: string; test: (b: Buffer) => boolean }[] = [
  { type: 'PDF document (application/pdf)', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  { type: 'gzip archive (application/gzip)', test: (b) => b[0] === 0x1f && b[1] === 0x8b },
  { type: 'zip archive (application/zip)', test: (b) => b.subarray(0, 4).toString('latin1') === 'PK\x03\x04' },
  { type: 'ELF executable (application/x-executable)', test: (b) => b.subarray(0, 4).toString('latin1') === '\x7fELF' },
];

export function describeBinary(bytes: Buffer, mime?: string): string {
  if (mime) return mime;
  return (
    BINARY_MAGIC.find((candidate) => candidate.test(bytes))?.type ??
    (looksLikeText(bytes) ? 'UTF-8 text' : 'binary data, not UTF-8 text (application/octet-stream)')
  );
}

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
    'Reads a file from a sandbox: text comes back as text, images as images, other binary files as base64 (with a first ' +
    'line saying so). Files above the inline limit (1 MiB by default) are refused unless `localPath` saves them in the ' +
    "transfer folder on this computer (the one folder the user chose in Daytona Tray's settings, by default " +
    'Downloads/Daytona; nothing is written anywhere else). Reports the bytes received as progress; cancelling the call stops the download.',
  input: {
    id: sandboxId(),
    filePath: sandboxPath('The file to read in the sandbox'),
    encoding: z
      .enum(['auto', 'text', 'base64'])
      .default('auto')
      .describe('"auto" (default: text when the file is UTF-8, else base64 or an image), "text" or "base64".'),
    localPath: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe(
        'Save the file in the transfer folder on this computer instead of returning it (any size): a name relative to that folder, or an absolute path inside it. Links are not followed.',
      ),
    overwrite: z.boolean().default(false).describe('With localPath: replace an existing local file (default false).'),
  },
  // Not read-only: with localPath it writes a file on this computer, and with overwrite replaces one.
  annotations: { title: 'Download a file', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(args, { daytona, limits, transferFolder }, call) {
    const watch = watchTransfer(call, limits.progressMs, 'received');
    if (args.localPath !== undefined) {
      const info = await daytona.fileInfo(args.id, args.filePath);
      if (info.isDir)
        throw new ToolFailure('invalid', `${args.filePath} is a folder: download the files in it one by one (list_files shows them).`);
      let size = 0;
      const savedTo = await saveDownload(await transferFolder(), args.localPath, args.overwrite, async (temp) => {
        await watch.run(daytona.downloadFile(args.id, args.filePath, temp, watch.transfer), info.size);
        size = (await stat(temp)).size;
      });
      return {
        text: `Saved ${args.filePath} from sandbox ${args.id} to ${savedTo} on this computer (${formatBytes(size)}).`,
        structured: { path: args.filePath, size, savedTo },
      };
    }
    const info = await daytona.fileInfo(args.id, args.filePath);
    if (info.isDir) throw new ToolFailure('invalid', `${args.filePath} is a folder: use list_files to see what is in it.`);
    if (info.size > limits.maxInlineBytes) {
      throw new ToolFailure(
        'too-large',
        `${args.filePath} is ${formatBytes(info.size)}, above the ${formatBytes(limits.maxInlineBytes)} limit for returning a file inline: ` +
          'pass localPath (a file name) to save it in the transfer folder on this computer, or read part of it with execute_command (e.g. head -c).',
      );
    }
    const bytes = (await watch.run(daytona.downloadFile(args.id, args.filePath, undefined, watch.transfer), info.size)) ?? Buffer.alloc(0);
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
      : {
          text: `${args.filePath}: ${describeBinary(bytes)}, ${formatBytes(bytes.length)}; its bytes follow as base64 on the next line.\n${bytes.toString('base64')}`,
          structured: { ...base, encoding: 'base64' },
        };
  },
});

/** A transfer that stops when the call is cancelled and reports the bytes moved so far as progress. */
export function watchTransfer(call: CallContext, progressMs: number, verb: 'sent' | 'received') {
  let moved = 0;
  const transfer: Transfer = { signal: call.signal, onProgress: (bytes) => (moved = bytes) };
  return {
    transfer,
    run: <T>(work: Promise<T>, total: number) =>
      withProgress(call, progressMs, () => `${formatBytes(moved)} of ${formatBytes(total)} ${verb}`, work),
  };
}
