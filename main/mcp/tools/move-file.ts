import { z } from 'zod';
import { defineTool, sandboxId, sandboxPath } from '../tool-kit.ts';

export const moveFile = defineTool({
  name: 'move_file',
  group: 'files',
  title: 'Move or rename a file',
  description: 'Moves or renames a file or folder inside a sandbox.',
  input: {
    id: sandboxId(),
    sourcePath: sandboxPath('The file or folder to move'),
    destPath: sandboxPath('Its new path (including the new name)'),
  },
  output: { sourcePath: z.string(), destPath: z.string() },
  annotations: { title: 'Move or rename a file', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run(args, { daytona }) {
    await daytona.moveFile(args.id, args.sourcePath, args.destPath);
    return { text: `Moved ${args.sourcePath} to ${args.destPath} in sandbox ${args.id}.`, structured: { sourcePath: args.sourcePath, destPath: args.destPath } };
  },
});
