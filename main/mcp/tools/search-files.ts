import { z } from 'zod';
import { defineTool, sandboxId } from '../tool-kit.ts';

export const searchFiles = defineTool({
  name: 'search_files',
  group: 'files',
  title: 'Search files',
  description:
    'Searches a sandbox folder recursively: by content (searchBy "content", default: lines matching `pattern`, like grep) ' +
    'or by file name (searchBy "name": names matching a glob such as "*.py").',
  input: {
    id: sandboxId(),
    pattern: z.string().min(1).max(1000).describe('Text or regular expression to find in file contents, or a glob for names (e.g. "*.ts").'),
    path: z.string().min(1).max(4096).default('.').describe('The folder to search in (default ".", the home directory).'),
    searchBy: z.enum(['content', 'name']).default('content').describe('"content" (default) or "name".'),
    limit: z.number().int().min(1).max(1000).default(200).describe('At most this many results (default 200).'),
  },
  output: {
    searchBy: z.enum(['content', 'name']),
    matches: z.array(z.object({ file: z.string(), line: z.number().optional(), content: z.string().optional() })),
    count: z.number(),
    truncated: z.boolean(),
  },
  annotations: { title: 'Search files', readOnlyHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    if (args.searchBy === 'name') {
      const files = await daytona.findFileNames(args.id, args.path, args.pattern);
      const shown = files.slice(0, args.limit);
      const text = shown.length === 0 ? `No file names under ${args.path} match ${args.pattern}.` : `${files.length} file${files.length === 1 ? '' : 's'} under ${args.path} match ${args.pattern}:\n${shown.join('\n')}`;
      return { text, structured: { searchBy: 'name', matches: shown.map((file) => ({ file })), count: files.length, truncated: files.length > shown.length } };
    }
    const matches = await daytona.findInFiles(args.id, args.path, args.pattern);
    const shown = matches.slice(0, args.limit);
    const text = shown.length === 0
      ? `No lines under ${args.path} match ${args.pattern}.`
      : `${matches.length} matching line${matches.length === 1 ? '' : 's'} under ${args.path}:\n${shown.map((m) => `${m.file}:${m.line}: ${m.content}`).join('\n')}`;
    return { text, structured: { searchBy: 'content', matches: shown, count: matches.length, truncated: matches.length > shown.length } };
  },
});
