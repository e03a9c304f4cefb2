import { z } from 'zod';
import { defineTool, sandboxId, sandboxPath } from '../tool-kit.ts';

export const createFolder = defineTool({
  name: 'create_folder',
  group: 'files',
  title: 'Create a folder',
  description: 'Creates a folder (and any missing parents) in a sandbox. An existing folder is kept and gets the mode.',
  input: {
    id: sandboxId(),
    folderPath: sandboxPath('The folder to create'),
    mode: z
      .string()
      .regex(/^0?[0-7]{3}$/, 'mode is an octal permission string such as "755".')
      .default('755')
      .describe('Octal permissions, e.g. "755" (default) or "700".'),
  },
  output: { path: z.string(), mode: z.string() },
  annotations: { title: 'Create a folder', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    await daytona.createFolder(args.id, args.folderPath, args.mode);
    return {
      text: `Folder ${args.folderPath} exists in sandbox ${args.id} (mode ${args.mode}).`,
      structured: { path: args.folderPath, mode: args.mode },
    };
  },
});
