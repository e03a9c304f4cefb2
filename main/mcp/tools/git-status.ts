import { z } from 'zod';
import { defineTool, sandboxId } from '../tool-kit.ts';

export const gitStatus = defineTool({
  name: 'git_status',
  group: 'git',
  title: 'Git status',
  description: 'Shows the branch, ahead/behind counts and changed files of a git repository in a sandbox.',
  input: {
    id: sandboxId(),
    path: z.string().min(1).max(4096).default('.').describe('The repository folder (default ".", the home directory).'),
  },
  output: {
    currentBranch: z.string(),
    ahead: z.number(),
    behind: z.number(),
    upstream: z.string().optional(),
    detached: z.boolean(),
    files: z.array(z.object({ name: z.string(), staging: z.string(), worktree: z.string() })),
  },
  annotations: { title: 'Git status', readOnlyHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    const status = await daytona.gitStatus(args.id, args.path);
    const tracking = status.upstream ? ` tracking ${status.upstream} (ahead ${status.ahead}, behind ${status.behind})` : '';
    const files =
      status.files.length === 0
        ? 'nothing to commit, working tree clean'
        : status.files.map((file) => `${file.name}  staged: ${file.staging}, worktree: ${file.worktree}`).join('\n');
    return {
      text: `On ${status.detached ? 'a detached HEAD' : `branch ${status.currentBranch}`}${tracking}\n${files}`,
      structured: { ...status },
    };
  },
});
