import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { Router, json, type Request, type Response } from 'express';
import { z } from 'zod';
import { redact } from '../../core/redact.ts';
import { ApiError, badRequest, conflict, notFound, type DaemonErrorCode } from '../errors.ts';
import { SANDBOX_HOME, type SandboxRecord } from '../sandbox-record.ts';
import { parseOrBadRequest } from '../validation.ts';
import { abortOnClose, runInSandbox, type SandboxExec } from './run-command.ts';
import { resolveSandboxPath } from './sandbox-paths.ts';

export interface GitDeps extends SandboxExec {
  recordOf(req: Request): SandboxRecord;
}

const GIT_TIMEOUT_SEC = 600;
const OUTPUT_TAIL = 2000;
const UNSET = '\u001eDAYTONA_UNSET';

interface Credentials {
  username?: string | undefined;
  password?: string | undefined;
}

/**
 * Credentials reach git through a credential helper that reads them from its environment, and the
 * environment is filled from stdin by a tiny shell wrapper: never argv (visible in `ps`), the URL,
 * .git/config, or a file.
 */
const CREDENTIAL_WRAPPER = [
  'IFS= read -r DAYTONA_GIT_USERNAME && IFS= read -r DAYTONA_GIT_PASSWORD || exit 2',
  'export DAYTONA_GIT_USERNAME DAYTONA_GIT_PASSWORD',
  'exec git -c credential.helper= -c \'credential.helper=!f() { test "$1" = get && printf "username=%s\\npassword=%s\\n" "$DAYTONA_GIT_USERNAME" "$DAYTONA_GIT_PASSWORD"; }; f\' "$@"',
].join('\n');

const text = (field: string) => z.string().min(1, `${field} must not be empty`);
/** Names git could read as options are refused, so a branch can never become a flag. */
const refName = text('name').refine(
  (value) => !value.startsWith('-') && !/[\s\0]/.test(value),
  'must be a git ref name (no leading dash, no whitespace)',
);
const credential = z.string().refine((value) => !/[\r\n\0]/.test(value), 'must be a single line');
const remoteName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a remote name such as origin');

/** Toolbox git routes (docs/daytona-api.md §6.3). git runs inside the sandbox: a clone obeys networkBlockAll and sees only what the sandbox sees. */
export function gitRoutes(deps: GitDeps): Router {
  const router = Router();
  router.use(json({ limit: '1mb' }));

  const dirsOf = (req: Request) => deps.service.dirsOf(deps.recordOf(req).id);

  /** Runs git in `cwd` (a sandbox path); a failure becomes a typed daemon error. */
  const git = async (req: Request, res: Response, args: string[], cwd?: string, credentials: Credentials = {}) => {
    const useCredentials = credentials.username !== undefined || credentials.password !== undefined;
    const argv = useCredentials ? ['/bin/sh', '-c', CREDENTIAL_WRAPPER, 'git', ...args] : ['git', ...args];
    const dirs = dirsOf(req);
    // git never looks for a repository above the sandbox's own directories (it would find the host's).
    const ceiling = [...new Set([SANDBOX_HOME, '/tmp'].map((dir) => posix.dirname(deps.runner.visiblePath(dir, dirs))))].join(':');
    const result = await runInSandbox(deps, deps.recordOf(req), argv, {
      cwd,
      env: {
        GIT_TERMINAL_PROMPT: '0',
        GIT_ASKPASS: '/bin/false',
        SSH_ASKPASS: '/bin/false',
        GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
        GIT_CEILING_DIRECTORIES: ceiling,
      },
      timeoutSec: GIT_TIMEOUT_SEC,
      signal: abortOnClose(res),
      stdin: useCredentials ? `${credentials.username ?? 'git'}\n${credentials.password ?? ''}\n` : undefined,
    });
    if (result.exitCode !== 0) throw gitError(redact(result.output, [credentials.password, credentials.username]), args);
    return result.stdout;
  };

  /** The repository directory from a request: must be inside the sandbox, and must exist. */
  const repoPath = async (req: Request, path: unknown) => {
    const resolved = await resolveSandboxPath(dirsOf(req), path);
    const info = await stat(resolved.hostPath).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw notFound(
        `No repository at ${resolved.sandboxPath}: the directory does not exist. Clone one there first (git.clone).`,
        'GIT_REPO_NOT_FOUND',
      );
    }
    return resolved.sandboxPath;
  };

  router.post('/git/clone', async (req, res) => {
    const body = parseOrBadRequest(
      z.object({
        url: text('url'),
        path: text('path'),
        branch: refName.optional(),
        commit_id: refName.optional(),
        username: credential.optional(),
        password: credential.optional(),
        insecure_skip_tls: z.boolean().optional(),
        depth: z.number().int().positive().optional(),
      }),
      req.body ?? {},
      'clone request',
    );
    if (body.url.startsWith('-')) throw badRequest("Invalid clone request: 'url' must be a repository URL.", 'INVALID_REQUEST_BODY');
    const target = await resolveSandboxPath(dirsOf(req), body.path);
    const destination = deps.runner.visiblePath(target.sandboxPath, dirsOf(req));
    await git(
      req,
      res,
      [
        ...(body.insecure_skip_tls ? ['-c', 'http.sslVerify=false'] : []),
        'clone',
        ...(body.branch ? ['--branch', body.branch] : []),
        ...(body.depth ? ['--depth', String(body.depth)] : []),
        '--',
        body.url,
        destination,
      ],
      undefined,
      { username: body.username, password: body.password },
    );
    if (body.commit_id) await git(req, res, ['checkout', '--detach', body.commit_id], target.sandboxPath);
    res.status(200).end();
  });

  router.get('/git/status', async (req, res) => {
    const path = await repoPath(req, req.query.path);
    const out = await git(req, res, ['status', '--porcelain=v2', '--branch', '--untracked-files=all', '-z'], path);
    res.json(parseStatus(out));
  });

  router.post('/git/add', async (req, res) => {
    const body = parseOrBadRequest(z.object({ path: text('path'), files: z.array(text('file')).min(1) }), req.body ?? {}, 'add request');
    await git(req, res, ['add', '--', ...body.files], await repoPath(req, body.path));
    res.status(200).end();
  });

  router.post('/git/commit', async (req, res) => {
    const body = parseOrBadRequest(
      z.object({
        path: text('path'),
        message: text('message'),
        author: text('author'),
        email: text('email'),
        allow_empty: z.boolean().optional(),
      }),
      req.body ?? {},
      'commit request',
    );
    const path = await repoPath(req, body.path);
    await git(
      req,
      res,
      [
        '-c',
        `user.name=${body.author}`,
        '-c',
        `user.email=${body.email}`,
        '-c',
        'commit.gpgSign=false',
        'commit',
        ...(body.allow_empty ? ['--allow-empty'] : []),
        '-m',
        body.message,
      ],
      path,
    );
    const hash = (await git(req, res, ['rev-parse', 'HEAD'], path)).trim();
    res.json({ hash });
  });

  router.get('/git/branches', async (req, res) => {
    const path = await repoPath(req, req.query.path);
    const out = await git(req, res, ['for-each-ref', '--format=%(HEAD)%00%(refname:short)', 'refs/heads/'], path);
    const rows = out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\0'));
    const current = rows.find(([head]) => head === '*')?.[1];
    res.json({ branches: rows.map(([, name]) => name ?? ''), ...(current ? { current } : {}) });
  });

  // Daytona creates the branch and switches to it (go-git checkout with Create).
  router.post('/git/branches', async (req, res) => {
    const body = parseOrBadRequest(z.object({ path: text('path'), name: refName }), req.body ?? {}, 'branch request');
    await git(req, res, ['switch', '-c', body.name], await repoPath(req, body.path));
    res.status(201).end();
  });

  // Daytona removes the ref whether or not it is merged.
  router.delete('/git/branches', async (req, res) => {
    const body = parseOrBadRequest(z.object({ path: text('path'), name: refName }), req.body ?? {}, 'branch request');
    await git(req, res, ['branch', '-D', '--', body.name], await repoPath(req, body.path));
    res.status(204).end();
  });

  router.post('/git/checkout', async (req, res) => {
    const body = parseOrBadRequest(z.object({ path: text('path'), branch: refName }), req.body ?? {}, 'checkout request');
    const path = await repoPath(req, body.path);
    try {
      // A local branch, or a remote one with exactly one match (git switch --guess).
      await git(req, res, ['switch', body.branch], path);
    } catch (error) {
      // Like the daemon, fall back to a commit (detached) when the name looks like a hash.
      if (!(error instanceof ApiError) || error.code !== 'GIT_BRANCH_NOT_FOUND' || !/^[0-9a-f]{4,64}$/i.test(body.branch)) throw error;
      await git(req, res, ['switch', '--detach', body.branch], path);
    }
    res.status(200).end();
  });

  const remoteSchema = z.object({
    path: text('path'),
    username: credential.optional(),
    password: credential.optional(),
    branch: refName.optional(),
    remote: remoteName.optional(),
    set_upstream: z.boolean().optional(),
  });

  const currentBranch = async (req: Request, res: Response, path: string) => {
    const name = (await git(req, res, ['rev-parse', '--abbrev-ref', 'HEAD'], path)).trim();
    if (name === 'HEAD')
      throw notFound('HEAD is detached: check out a branch first (git.checkoutBranch), or pass the branch to use.', 'GIT_BRANCH_NOT_FOUND');
    return name;
  };

  const hasUpstream = async (req: Request, res: Response, path: string) => {
    try {
      await git(req, res, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}'], path);
      return true;
    } catch {
      return false;
    }
  };

  router.post('/git/push', async (req, res) => {
    const body = parseOrBadRequest(remoteSchema, req.body ?? {}, 'push request');
    const path = await repoPath(req, body.path);
    const branch = body.branch ?? (await currentBranch(req, res, path));
    await git(
      req,
      res,
      [
        'push',
        ...(body.set_upstream ? ['--set-upstream'] : []),
        '--',
        body.remote ?? 'origin',
        `refs/heads/${branch}:refs/heads/${branch}`,
      ],
      path,
      { username: body.username, password: body.password },
    );
    res.status(200).end();
  });

  // Fast-forward only, like the daemon (go-git Pull): a diverged branch is a conflict, never a surprise merge.
  router.post('/git/pull', async (req, res) => {
    const body = parseOrBadRequest(remoteSchema, req.body ?? {}, 'pull request');
    const path = await repoPath(req, body.path);
    let target: string[] = [];
    if (body.branch || body.remote || !(await hasUpstream(req, res, path))) {
      target = [body.remote ?? 'origin', body.branch ?? (await currentBranch(req, res, path))];
    }
    await git(req, res, ['pull', '--ff-only', ...target], path, { username: body.username, password: body.password });
    res.status(200).end();
  });

  // ── repository setup: init, remotes, config ──

  router.post('/git/init', async (req, res) => {
    const body = parseOrBadRequest(
      z.object({ path: text('path'), bare: z.boolean().optional(), initial_branch: refName.optional() }),
      req.body ?? {},
      'init request',
    );
    const target = await resolveSandboxPath(dirsOf(req), body.path);
    await git(req, res, [
      'init',
      '-q',
      ...(body.bare ? ['--bare'] : []),
      ...(body.initial_branch ? ['--initial-branch', body.initial_branch] : []),
      '--',
      deps.runner.visiblePath(target.sandboxPath, dirsOf(req)),
    ]);
    res.status(200).end();
  });

  router.get('/git/remotes', async (req, res) => {
    const path = await repoPath(req, req.query.path);
    const remotes = new Map<string, string>();
    for (const line of (await git(req, res, ['remote', '-v'], path)).split('\n')) {
      const match = /^(\S+)\t(.+) \(fetch\)$/.exec(line);
      if (match) remotes.set(match[1]!, match[2]!);
    }
    res.json({ remotes: [...remotes].map(([name, url]) => ({ name, url })) });
  });

  router.post('/git/remotes', async (req, res) => {
    const body = parseOrBadRequest(
      z.object({
        path: text('path'),
        name: remoteName,
        url: text('url'),
        fetch: z.boolean().optional(),
        overwrite: z.boolean().optional(),
      }),
      req.body ?? {},
      'remote request',
    );
    const path = await repoPath(req, body.path);
    const exists = (await git(req, res, ['remote'], path)).split('\n').includes(body.name);
    if (exists && !body.overwrite)
      throw conflict(`Remote ${body.name} already exists: pass overwrite to change its URL, or pick another name.`);
    await git(req, res, exists ? ['remote', 'set-url', '--', body.name, body.url] : ['remote', 'add', '--', body.name, body.url], path);
    if (body.fetch) await git(req, res, ['fetch', '--', body.name], path);
    res.status(200).end();
  });

  /** `git config` at a scope: global is the sandbox user's ~/.gitconfig; system (/etc) is read-only here. */
  const configScope = async (req: Request, scope: string | undefined, path: string | undefined) => {
    const chosen = scope ?? 'global';
    if (chosen === 'local') {
      if (!path) throw badRequest('A local-scope git config needs the repository path.', 'INVALID_REQUEST_BODY');
      return { flag: '--local', cwd: await repoPath(req, path) };
    }
    if (chosen === 'global') return { flag: '--global', cwd: SANDBOX_HOME };
    throw badRequest(`Git config scope '${chosen}' is not writable in a local sandbox: use global or local.`, 'INVALID_REQUEST_BODY');
  };
  const configKey = z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]*(\.[^\s=]+)*\.[A-Za-z][A-Za-z0-9-]*$/, 'must be a git config key such as user.name');
  const scopeField = z.enum(['global', 'local', 'system']).optional();

  router.post('/git/config', async (req, res) => {
    const body = parseOrBadRequest(
      z.object({ key: configKey, value: z.string(), scope: scopeField, path: z.string().optional() }),
      req.body ?? {},
      'config request',
    );
    const { flag, cwd } = await configScope(req, body.scope, body.path);
    await git(req, res, ['config', flag, '--', body.key, body.value], cwd);
    res.status(200).end();
  });

  router.get('/git/config', async (req, res) => {
    const query = parseOrBadRequest(
      z.object({ key: configKey, scope: scopeField, path: z.string().optional() }),
      req.query,
      'config query',
    );
    const { flag, cwd } = await configScope(req, query.scope, query.path);
    // An unset key is "no value" (null), not a failure: git prints the sentinel default instead of exiting 1.
    const value = (await git(req, res, ['config', flag, '--get', `--default=${UNSET}`, '--', query.key], cwd)).replace(/\n$/, '');
    res.json({ value: value === UNSET ? null : value });
  });

  router.post('/git/config/user', async (req, res) => {
    const body = parseOrBadRequest(
      z.object({ name: text('name'), email: text('email'), scope: scopeField, path: z.string().optional() }),
      req.body ?? {},
      'user request',
    );
    const { flag, cwd } = await configScope(req, body.scope, body.path);
    await git(req, res, ['config', flag, '--', 'user.name', body.name], cwd);
    await git(req, res, ['config', flag, '--', 'user.email', body.email], cwd);
    res.status(200).end();
  });

  return router;
}

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

const STATUS: Record<string, string> = {
  '.': 'Unmodified',
  M: 'Modified',
  T: 'Modified',
  A: 'Added',
  D: 'Deleted',
  R: 'Renamed',
  C: 'Copied',
  U: 'Updated but unmerged',
  '?': 'Untracked',
  '!': 'Untracked',
};

/** Parses `git status --porcelain=v2 --branch -z` into Daytona's GitStatus. */
export function parseStatus(out: string) {
  const entries = out.split('\0');
  const headers = new Map<string, string>();
  const fileStatus: { name: string; staging: string; worktree: string; extra: string }[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (!entry) continue;
    if (entry.startsWith('# ')) {
      const [key, ...value] = entry.slice(2).split(' ');
      headers.set(key!, value.join(' '));
      continue;
    }
    const kind = entry[0];
    if (kind === '?' || kind === '!') {
      fileStatus.push({ name: entry.slice(2), staging: STATUS[kind]!, worktree: STATUS[kind]!, extra: '' });
      continue;
    }
    // "1 XY sub mH mI mW hH hI path", "2 XY sub mH mI mW hH hI Xscore path\0orig", "u XY sub m1 m2 m3 mW h1 h2 h3 path"
    const fieldCount = kind === '1' ? 8 : kind === '2' ? 9 : kind === 'u' ? 10 : -1;
    if (fieldCount < 0) continue;
    const parts = entry.split(' ');
    const xy = parts[1] ?? '..';
    const name = parts.slice(fieldCount).join(' ');
    const extra = kind === '2' ? (entries[++i] ?? '') : '';
    fileStatus.push({ name, staging: STATUS[xy[0] ?? '.'] ?? 'Unmodified', worktree: STATUS[xy[1] ?? '.'] ?? 'Unmodified', extra });
  }
  const head = headers.get('branch.head') ?? '';
  const detached = head === '(detached)';
  const upstream = headers.get('branch.upstream');
  const ab = /^\+(\d+) -(\d+)$/.exec(headers.get('branch.ab') ?? '');
  return {
    currentBranch: detached ? 'HEAD' : head,
    fileStatus,
    ahead: Number(ab?.[1] ?? 0),
    behind: Number(ab?.[2] ?? 0),
    branchPublished: upstream !== undefined,
    ...(upstream !== undefined ? { upstream } : {}),
    detached,
  };
}
