import { posix } from 'node:path';
import { z } from 'zod';
import { ToolFailure } from '../errors.ts';
import { defineTool, sandboxId, sandboxPath } from '../tool-kit.ts';

export const moveFile = defineTool({
  name: 'move_file',
  group: 'files',
  title: 'Move or rename a file',
  description:
    'Moves or renames a file or folder inside a sandbox. An existing destination is never replaced: the move is refused (delete it first with delete_file).',
  input: {
    id: sandboxId(),
    sourcePath: sandboxPath('The file or folder to move'),
    destPath: sandboxPath('Its new path (including the new name)'),
  },
  output: { sourcePath: z.string(), destPath: z.string() },
  // Not destructive: it never replaces an existing destination, and the moved data survives under its new name.
  annotations: { title: 'Move or rename a file', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(args, { daytona }) {
    if (await daytona.fileInfoOrUndefined(args.id, args.destPath)) {
      throw new ToolFailure(
        'conflict',
        `Could not move ${args.sourcePath}: the destination ${args.destPath} already exists in sandbox ${args.id} and is never replaced. Delete it first with delete_file, or choose another destPath.`,
      );
    }
    const parent = posix.dirname(args.destPath);
    if (parent !== '.' && parent !== '/' && !(await daytona.fileInfoOrUndefined(args.id, parent))?.isDir) {
      throw new ToolFailure(
        'not-found',
        `Could not move ${args.sourcePath}: the destination's folder ${parent} does not exist in sandbox ${args.id}. Create it with create_folder first.`,
      );
    }
    await daytona.moveFile(args.id, args.sourcePath, args.destPath);
    return {
      text: `Moved ${args.sourcePath} to ${args.destPath} in sandbox ${args.id}.`,
      structured: { sourcePath: args.sourcePath, destPath: args.destPath },
    };
  },
});
