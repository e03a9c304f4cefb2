import { z } from 'zod';
import { withProgress } from '../call-context.ts';
import { defineTool, sandboxId } from '../tool-kit.ts';

/** `https://host/org/repo.git` -> `repo`, the folder `git clone` itself would pick. */
export function defaultCloneFolder(url: string): string {
  const last =
    url
      .replace(/[/\\]+$/, '')
      .split(/[/:\\]/)
      .pop() ?? '';
  const name = last.replace(/\.git$/, '');
  return name && name !== '.' && name !== '..' ? name : 'repo';
}

export const gitClone = defineTool({
  name: 'git_clone',
  group: 'git',
  title: 'Clone a git repository',
  description:
    'Clones a git repository into a sandbox (the clone runs inside the sandbox, with its network). For a private ' +
    'repository pass username and password (a personal access token for GitHub/GitLab); they are not stored in the clone. ' +
    'It sends progress every few seconds while the clone runs.',
  input: {
    id: sandboxId(),
    url: z.string().min(1).max(2048).describe('Repository URL, e.g. https://github.com/org/repo.git.'),
    path: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('Where to clone (default: a folder named after the repository in the home directory).'),
    branch: z.string().min(1).optional().describe('Branch to check out (default: the remote default branch).'),
    commitId: z.string().min(1).optional().describe('Commit to check out after cloning (detached HEAD).'),
    username: z.string().min(1).optional().describe('Username for a private repository.'),
    password: z.string().min(1).optional().describe('Password or access token for a private repository.'),
    depth: z.number().int().min(1).optional().describe('Shallow clone with this many commits.'),
  },
  output: { url: z.string(), path: z.string() },
  annotations: { title: 'Clone a git repository', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(args, { daytona, limits }, call) {
    const path = args.path ?? defaultCloneFolder(args.url);
    const clone = daytona.gitClone(args.id, {
      url: args.url,
      path,
      branch: args.branch,
      commitId: args.commitId,
      username: args.username,
      password: args.password,
      depth: args.depth,
    });
    await withProgress(call, limits.progressMs, (seconds) => `cloning ${args.url} for ${seconds} s`, clone);
    return {
      text: `Cloned ${args.url}${args.branch ? ` (branch ${args.branch})` : ''} into ${path} in sandbox ${args.id}.`,
      structured: { url: args.url, path },
    };
  },
});
