import { ApiError, type DaemonErrorCode } from '../../errors.ts';

const OUTPUT_TAIL = 2000;

/** Maps git's output to the daemon's typed error codes (daemon git/cli_errors.go, toolbox/git/errors.go). */
export function gitError(output: string, args: string[]): ApiError {
  const verb = args.find((arg, i) => !arg.startsWith('-') && args[i - 1] !== '-c') ?? 'git';
  const lines = output
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('hint:'));
  const detail = lines.join('\n').slice(-OUTPUT_TAIL) || 'no output';
  const rules: [RegExp, number, DaemonErrorCode, string][] = [
    [/not a git repository/i, 404, 'GIT_REPO_NOT_FOUND', 'this directory is not a git repository: clone or init one first'],
    [
      /authentication failed|invalid username or password|could not read (username|password)|terminal prompts disabled/i,
      401,
      'GIT_AUTH_FAILED',
      'the remote refused the credentials: pass a valid username and password (token)',
    ],
    [
      /repository not found|does not appear to be a git repository|repository not exported|no such repository|requested url returned error: 404|remote: not found/i,
      404,
      'GIT_REPO_NOT_FOUND',
      'the remote repository was not found: check the URL (host paths are not visible inside a sandbox; serve the repository over the network)',
    ],
    [/destination path .* already exists/i, 409, 'CONFLICT', 'the destination is not empty: clone into a new or empty directory'],
    [
      /a branch named .* already exists|already exists/i,
      409,
      'GIT_BRANCH_EXISTS',
      'a branch with that name already exists: pick another name or check it out',
    ],
    [
      /cannot delete branch .* (checked out|used by worktree)/i,
      409,
      'CONFLICT',
      'that branch is checked out: switch to another branch first',
    ],
    [/\[remote rejected\]/i, 422, 'GIT_REMOTE_REJECTED', 'the remote rejected the update (hooks, protection or a checked-out branch)'],
    [
      /non-fast-forward|fetch first|updates were rejected|\[rejected\]|stale info/i,
      409,
      'GIT_PUSH_REJECTED',
      'the remote has commits you do not have: pull first, then push',
    ],
    [
      /not possible to fast-forward|diverging branches|CONFLICT \(|merge conflict/i,
      409,
      'GIT_MERGE_CONFLICT',
      'the branches have diverged: only fast-forward pulls are done, so reconcile them with a command in the sandbox',
    ],
    [
      /would be overwritten|please commit your changes or stash|needs merge/i,
      409,
      'GIT_DIRTY_WORKTREE',
      'uncommitted changes are in the way: commit them first',
    ],
    [/pathspec .* did not match any files/i, 404, 'FILE_NOT_FOUND', 'no such file to add: check the path (relative to the repository)'],
    [
      /invalid reference|a branch is expected|did not match any|unknown revision|not a valid (object name|ref)|branch '.*' not found|couldn't find remote ref|remote branch .* not found|not currently on a branch|src refspec .* does not match/i,
      404,
      'GIT_BRANCH_NOT_FOUND',
      'no such branch or commit: list them with git.branches',
    ],
    [
      /could not resolve host|connection refused|unable to access|failed to connect|network is unreachable|connection timed out|unable to look up|could not read from remote repository/i,
      502,
      'GIT_TRANSPORT_FAILED',
      'the remote could not be reached (is the sandbox network blocked, or the host down?)',
    ],
    [
      /nothing to commit|nothing added to commit|no changes added to commit/i,
      400,
      'BAD_REQUEST',
      'there is nothing staged to commit: add files first (git.add), or allow an empty commit',
    ],
  ];
  for (const [pattern, status, code, advice] of rules) {
    if (pattern.test(detail)) return new ApiError(status, `git ${verb} failed: ${advice}.\n${detail}`, code);
  }
  return new ApiError(400, `git ${verb} failed.\n${detail}`, 'BAD_REQUEST');
}
