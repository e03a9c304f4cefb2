import { z } from 'zod';
import { defineTool, sandboxId } from '../tool-kit.ts';
import { describeEntry, entryRecord, fileEntryShape } from './file-entry-format.ts';
import { capLines } from './output-cap.ts';

export const listFiles = defineTool({
  name: 'list_files',
  group: 'files',
  title: 'List files',
  description: 'Lists the files and folders in a sandbox folder (folders end with /).',
  input: {
    id: sandboxId(),
    path: z
      .string()
      .min(1)
      .max(4096)
      .default('.')
      .describe('The folder to list: absolute, or relative to the home directory (default ".", the home directory).'),
  },
  output: { path: z.string(), entries: z.array(z.object(fileEntryShape)), count: z.number(), truncated: z.boolean() },
  annotations: { title: 'List files', readOnlyHint: true, openWorldHint: true },
  async run(args, { daytona, limits }) {
    const entries = await daytona.listFiles(args.id, args.path);
    if (entries.length === 0)
      return { text: `${args.path} is empty.`, structured: { path: args.path, entries: [], count: 0, truncated: false } };
    const capped = capLines(entries.map(describeEntry), limits.maxOutputChars);
    const header =
      capped.shown < entries.length
        ? `${args.path} (showing ${capped.shown} of ${entries.length} entries; find the rest with search_files by name, e.g. pattern "*.py", or list a subfolder)`
        : `${args.path} (${entries.length} entries)`;
    return {
      text: `${header}:\n${capped.text}`,
      structured: {
        path: args.path,
        entries: entries.slice(0, capped.shown).map(entryRecord),
        count: entries.length,
        truncated: capped.shown < entries.length,
      },
    };
  },
});
