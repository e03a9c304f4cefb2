import { z } from 'zod';
import { defineTool, sandboxId } from '../tool-kit.ts';
import { describeEntry, entryRecord, fileEntryShape } from './file-entry-format.ts';

export const listFiles = defineTool({
  name: 'list_files',
  group: 'files',
  title: 'List files',
  description: 'Lists the files and folders in a sandbox folder (folders end with /).',
  input: {
    id: sandboxId(),
    path: z.string().min(1).max(4096).default('.').describe('The folder to list: absolute, or relative to the home directory (default ".", the home directory).'),
  },
  output: { path: z.string(), entries: z.array(z.object(fileEntryShape)), count: z.number() },
  annotations: { title: 'List files', readOnlyHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    const entries = await daytona.listFiles(args.id, args.path);
    const text = entries.length === 0 ? `${args.path} is empty.` : `${args.path} (${entries.length} entries):\n${entries.map(describeEntry).join('\n')}`;
    return { text, structured: { path: args.path, entries: entries.map(entryRecord), count: entries.length } };
  },
});
