import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { ToolFailure } from '../errors.ts';
import { defineTool, formatBytes, sandboxId, sandboxPath } from '../tool-kit.ts';
import { watchTransfer } from './file-download.ts';
import { openForUpload } from './local-paths.ts';

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/;
/** Inline content travels inside one JSON-RPC message; bigger files go by localPath. */
export const MAX_INLINE_UPLOAD_CHARS = 8 * 1024 * 1024;

export const fileUpload = defineTool({
  name: 'file_upload',
  group: 'files',
  title: 'Upload a file',
  description:
    'Writes a file into a sandbox, from `content` (text, or base64 with encoding "base64") or from `localPath`, a file ' +
    "in the transfer folder on this computer (the one folder the user chose in Daytona Tray's settings, by default " +
    'Downloads/Daytona; nothing else on this computer can be read). Missing parent folders in the sandbox are created. ' +
    'An existing file is kept unless overwrite is true. Reports the bytes sent as progress; cancelling the call stops the upload.',
  input: {
    id: sandboxId(),
    filePath: sandboxPath('Where to write the file in the sandbox'),
    content: z.string().max(MAX_INLINE_UPLOAD_CHARS).optional().describe('The file content (omit when using localPath).'),
    encoding: z
      .enum(['text', 'base64'])
      .default('text')
      .describe('How `content` is encoded: "text" (UTF-8, default) or "base64" for binary files.'),
    localPath: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe(
        'Instead of content: a file in the transfer folder on this computer (a name relative to it, or an absolute path inside it), any size. Links are not followed.',
      ),
    overwrite: z.boolean().default(false).describe('Replace the file if it already exists (default false).'),
  },
  output: { path: z.string(), size: z.number() },
  // Destructive: with overwrite it replaces a sandbox file. Idempotent: the same call again leaves the same file.
  annotations: { title: 'Upload a file', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(args, { daytona, transferFolder, limits }, call) {
    if ((args.content === undefined) === (args.localPath === undefined)) {
      throw new ToolFailure('invalid', 'Give exactly one of `content` (the file itself) or `localPath` (a file on this computer).');
    }
    let source: { content: Buffer } | { stream: Readable };
    let size: number;
    let from = '';
    let handle: FileHandle | undefined;
    if (args.localPath !== undefined) {
      const local = await openForUpload(await transferFolder(), args.localPath);
      ({ handle, size } = local);
      from = ` from ${local.shown}`;
      source = { stream: local.handle.createReadStream({ autoClose: false }) };
    } else {
      if (args.encoding === 'base64' && !BASE64.test(args.content!)) {
        throw new ToolFailure(
          'invalid',
          'content is not valid base64: send the bytes base64-encoded, or use encoding "text" for plain text.',
        );
      }
      const content = Buffer.from(args.content!, args.encoding === 'base64' ? 'base64' : 'utf8');
      size = content.length;
      source = { content };
    }
    try {
      const existing = await daytona.fileInfoOrUndefined(args.id, args.filePath);
      if (existing?.isDir)
        throw new ToolFailure(
          'invalid',
          `${args.filePath} is a folder in the sandbox: give a file path inside it, e.g. ${args.filePath.replace(/\/$/, '')}/name.ext.`,
        );
      if (existing && !args.overwrite)
        throw new ToolFailure('conflict', `${args.filePath} already exists in sandbox ${args.id}: pass overwrite: true to replace it.`);
      const watch = watchTransfer(call, limits.progressMs, 'sent');
      await watch.run(daytona.uploadFile(args.id, args.filePath, source, watch.transfer), size);
    } finally {
      await handle?.close();
    }
    return {
      text: `Wrote ${args.filePath} (${formatBytes(size)}) in sandbox ${args.id}${from}.`,
      structured: { path: args.filePath, size },
    };
  },
});
