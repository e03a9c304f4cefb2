import { z } from 'zod';
import { defineTool, sandboxId, sandboxPath } from '../tool-kit.ts';

export const deleteFile = defineTool({
  name: 'delete_file',
  group: 'files',
  title: 'Delete a file',
  description: 'Deletes a file in a sandbox; a folder only with recursive: true (then with everything in it).',
  input: {
    id: sandboxId(),
    filePath: sandboxPath('The file or folder to delete'),
    recursive: z.boolean().default(false).describe('Delete a folder and everything in it (default false).'),
  },
  output: { path: z.string(), deleted: z.boolean() },
  annotations: { title: 'Delete a file', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    await daytona.deleteFile(args.id, args.filePath, args.recursive);
    return { text: `Deleted ${args.filePath} in sandbox ${args.id}.`, structured: { path: args.filePath, deleted: true } };
  },
});
