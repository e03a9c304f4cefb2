import { z } from 'zod';
import { defineTool, sandboxId } from '../tool-kit.ts';
import { capLines } from './output-cap.ts';

/** Characters that only mean something in a regular expression: a literal search for them rarely intends them. */
const REGEX_LOOKING = /\\[wdsbWDSB()[\]{}.+*?|^$]|\.\*|\[[^\]]+\]|\(\?|\|/;

export const searchFiles = defineTool({
  name: 'search_files',
  group: 'files',
  title: 'Search files',
  description:
    'Searches a sandbox folder recursively: by content (searchBy "content", default: lines containing `pattern` as ' +
    'literal text, case-sensitive; not a regular expression) or by file name (searchBy "name": names matching a glob ' +
    'such as "*.py"). For regular expressions run grep -rnE with execute_command.',
  input: {
    id: sandboxId(),
    pattern: z
      .string()
      .min(1)
      .max(1000)
      .describe('Literal text to find in file contents (not a regular expression), or a glob for names (e.g. "*.ts").'),
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
  async run(args, { daytona, limits }) {
    const narrow = 'narrow it with a more specific pattern or a subfolder as path';
    if (args.searchBy === 'name') {
      const files = await daytona.findFileNames(args.id, args.path, args.pattern);
      const capped = capLines(files.slice(0, args.limit), limits.maxOutputChars);
      const shown = files.slice(0, capped.shown);
      if (shown.length === 0)
        return {
          text: `No file names under ${args.path} match ${args.pattern}.`,
          structured: { searchBy: 'name', matches: [], count: 0, truncated: false },
        };
      const showing =
        shown.length < files.length
          ? `showing ${shown.length} of ${files.length} files under ${args.path} that match ${args.pattern} (${narrow}, or raise limit)`
          : `${files.length} file${files.length === 1 ? '' : 's'} under ${args.path} match ${args.pattern}`;
      return {
        text: `${showing}:\n${capped.text}`,
        structured: {
          searchBy: 'name',
          matches: shown.map((file) => ({ file })),
          count: files.length,
          truncated: files.length > shown.length,
        },
      };
    }
    const matches = await daytona.findInFiles(args.id, args.path, args.pattern);
    const capped = capLines(
      matches.slice(0, args.limit).map((m) => `${m.file}:${m.line}: ${m.content}`),
      limits.maxOutputChars,
    );
    const shown = matches.slice(0, capped.shown);
    if (shown.length === 0) {
      const hint = REGEX_LOOKING.test(args.pattern)
        ? ` The search is for literal text, and ${args.pattern} looks like a regular expression: search for a plain piece of it, or run grep -rnE with execute_command.`
        : '';
      return {
        text: `No lines under ${args.path} contain ${args.pattern}.${hint}`,
        structured: { searchBy: 'content', matches: [], count: 0, truncated: false },
      };
    }
    const showing =
      shown.length < matches.length
        ? `showing ${shown.length} of ${matches.length} matching lines under ${args.path} (${narrow}, or raise limit)`
        : `${matches.length} matching line${matches.length === 1 ? '' : 's'} under ${args.path}`;
    return {
      text: `${showing}:\n${capped.text}`,
      structured: { searchBy: 'content', matches: shown, count: matches.length, truncated: matches.length > shown.length },
    };
  },
});
