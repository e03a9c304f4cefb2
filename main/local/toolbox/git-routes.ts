import { Router, json, type Request } from 'express';
import { z } from 'zod';
import { ApiError, badRequest, type DaemonErrorCode } from '../errors.ts';
import type { SandboxRecord } from '../sandbox-record.ts';
import { parseOrBadRequest } from '../validation.ts';
import { runInSandbox, type SandboxExec } from './run-command.ts';
import { resolveSandboxPath } from './sandbox-paths.ts';

export interface GitDeps extends SandboxExec {
  recordOf(req: Request): SandboxRecord;
}

const GIT_TIMEOUT_SEC = 600;

/** git runs inside the sandbox, so a clone obeys networkBlockAll and only sees what the sandbox sees. */
async function git(deps: GitDeps, req: Request, args: string[], cwd?: string, env: Record<string, string> = {}) {
  const result = await runInSandbox(deps, deps.recordOf(req), ['git', ...args], {
    cwd,
    env: { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '/bin/false', ...env },
    timeoutSec: GIT_TIMEOUT_SEC,
  });
  if (result.exitCode !== 0) throw gitError(result.output, args[0] ?? 'git');
  return result.stdout;
}

function gitError(output: string, verb: string): ApiError {
  const text = output.trim().split('\n').filter((line) => !line.startsWith('hint:')).join('\n').slice(0, 2000);
  const match = (re: RegExp, status: number, code: DaemonErrorCode) => (re.test(text) ? new ApiError(status, `git ${verb} failed: ${text}`, code) : undefined);
  return (
    match(/not a git repository/i, 404, 'GIT_REPO_NOT_FOUND') ??
    match(/Authentication failed|could not read Username|terminal prompts disabled/i, 401, 'GIT_AUTH_FAILED') ??
    match(/repository .* not found|does not appear to be a git repository|does not exist/i, 404, 'GIT_REPO_NOT_FOUND') ??
    match(/already exists/i, 409, 'GIT_BRANCH_EXISTS') ??
    match(/did not match any|not found|unknown revision|invalid reference/i, 404, 'GIT_BRANCH_NOT_FOUND') ??
    match(/\[rejected\]|non-fast-forward|failed to push/i, 409, 'GIT_PUSH_REJECTED') ??
    match(/CONFLICT|merge conflict/i, 409, 'GIT_MERGE_CONFLICT') ??
    match(/would be overwritten|Please commit your changes or stash/i, 409, 'GIT_DIRTY_WORKTREE') ??
    match(/Could not resolve host|Connection refused|unable to access|Failed to connect|Network is unreachable/i, 502, 'GIT_TRANSPORT_FAILED') ??
    new ApiError(400, `git ${verb} failed: ${text || 'no output'}`, 'BAD_REQUEST')
  );
}

/** Puts credentials into an https URL for one command; never logged, never stored in the repo's config. */
function withCredentials(url: string, username?: string, password?: string): string {
  if (!username && !password) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest('Credentials can only be used with http(s) URLs.');
  }
  if (!/^https?:$/.test(parsed.protocol)) throw badRequest('Credentials can only be used with http(s) URLs.');
  parsed.username = username ?? 'git';
  parsed.password = password ?? '';
  return parsed.toString();
}

const STATUS: Record<string, string> = { ' ': 'Unmodified', M: 'Modified', A: 'Added', D: 'Deleted', R: 'Renamed', C: 'Copied', U: 'Updated but unmerged', '?': 'Untracked', '!': 'Untracked' };

/** Toolbox git routes (daytona-api.md §6.3). */
export function gitRoutes(deps: GitDeps): Router {
  const router = Router();
  router.use(json({ limit: '1mb' }));
  const repo = async (req: Request, path: unknown) => (await resolveSandboxPath(deps.service.dirsOf(deps.recordOf(req).id), path)).sandboxPath;

  router.post('/git/clone', async (req, res) => {
    const body = parseOrBadRequest(z.object({
      url: z.string().min(1), path: z.string().min(1), branch: z.string().optional(), commit_id: z.string().optional(),
      username: z.string().optional(), password: z.string().optional(), depth: z.number().int().positive().optional(),
    }), req.body ?? {}, 'clone request');
    const path = await repo(req, body.path);
    const url = withCredentials(body.url, body.username, body.password);
    await git(deps, req, ['clone', ...(body.branch ? ['--branch', body.branch] : []), ...(body.depth ? ['--depth', String(body.depth)] : []), '--', url, path]);
    if (body.username || body.password) await git(deps, req, ['remote', 'set-url', 'origin', body.url], path);
    if (body.commit_id) await git(deps, req, ['checkout', body.commit_id], path);
    res.status(200).end();
  });

  router.get('/git/status', async (req, res) => {
    const path = await repo(req, req.query.path);
    const out = await git(deps, req, ['status', '--porcelain=v1', '--branch', '-z'], path);
    const entries = out.split('\0').filter(Boolean);
    const head = entries[0]?.startsWith('## ') ? entries.shift()!.slice(3) : '';
    const branchMatch = /^(?:No commits yet on )?([^.\s]+)(?:\.\.\.(\S+))?(?: \[(?:ahead (\d+))?(?:, )?(?:behind (\d+))?\])?/.exec(head);
    const fileStatus = [];
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const x = entry[0] ?? ' ';
      const y = entry[1] ?? ' ';
      const name = entry.slice(3);
      if (x === 'R' || x === 'C') i++; // the original name follows a rename/copy
      fileStatus.push({ name, staging: STATUS[x] ?? 'Unmodified', worktree: STATUS[y] ?? 'Unmodified', extra: '' });
    }
    const detached = head.startsWith('HEAD (no branch)');
    res.json({
      currentBranch: detached ? 'HEAD' : (branchMatch?.[1] ?? ''),
      fileStatus,
      ahead: Number(branchMatch?.[3] ?? 0),
      behind: Number(branchMatch?.[4] ?? 0),
      branchPublished: Boolean(branchMatch?.[2]),
      ...(branchMatch?.[2] ? { upstream: branchMatch[2] } : {}),
      detached,
    });
  });

  router.post('/git/add', async (req, res) => {
    const body = parseOrBadRequest(z.object({ path: z.string(), files: z.array(z.string()).min(1) }), req.body ?? {}, 'add request');
    await git(deps, req, ['add', '--', ...body.files], await repo(req, body.path));
    res.status(200).end();
  });

  router.post('/git/commit', async (req, res) => {
    const body = parseOrBadRequest(z.object({
      path: z.string(), message: z.string().min(1), author: z.string().min(1), email: z.string().min(1), allow_empty: z.boolean().optional(),
    }), req.body ?? {}, 'commit request');
    const path = await repo(req, body.path);
    await git(deps, req, ['-c', `user.name=${body.author}`, '-c', `user.email=${body.email}`, 'commit', ...(body.allow_empty ? ['--allow-empty'] : []), '-m', body.message], path);
    const hash = (await git(deps, req, ['rev-parse', 'HEAD'], path)).trim();
    res.json({ hash });
  });

  router.get('/git/branches', async (req, res) => {
    const path = await repo(req, req.query.path);
    const out = await git(deps, req, ['branch', '--format=%(HEAD) %(refname:short)'], path);
    const lines = out.split('\n').filter(Boolean);
    const current = lines.find((line) => line.startsWith('*'))?.slice(2);
    res.json({ branches: lines.map((line) => line.slice(2)), ...(current ? { current } : {}) });
  });

  router.post('/git/branches', async (req, res) => {
    const body = parseOrBadRequest(z.object({ path: z.string(), name: z.string().min(1) }), req.body ?? {}, 'branch request');
    await git(deps, req, ['branch', '--', body.name], await repo(req, body.path));
    res.status(201).end();
  });

  router.delete('/git/branches', async (req, res) => {
    const body = parseOrBadRequest(z.object({ path: z.string(), name: z.string().min(1) }), req.body ?? {}, 'branch request');
    await git(deps, req, ['branch', '-d', '--', body.name], await repo(req, body.path));
    res.status(204).end();
  });

  router.post('/git/checkout', async (req, res) => {
    const body = parseOrBadRequest(z.object({ path: z.string(), branch: z.string().min(1) }), req.body ?? {}, 'checkout request');
    await git(deps, req, ['checkout', body.branch], await repo(req, body.path));
    res.status(200).end();
  });

  const remoteSchema = z.object({
    path: z.string(), username: z.string().optional(), password: z.string().optional(), branch: z.string().optional(),
    remote: z.string().optional(), set_upstream: z.boolean().optional(),
  });
  const remoteArgs = async (req: Request, body: z.infer<typeof remoteSchema>, path: string) => {
    const remote = body.remote ?? 'origin';
    if (!body.username && !body.password) return [remote];
    const url = (await git(deps, req, ['remote', 'get-url', remote], path)).trim();
    return [withCredentials(url, body.username, body.password)];
  };

  router.post('/git/push', async (req, res) => {
    const body = parseOrBadRequest(remoteSchema, req.body ?? {}, 'push request');
    const path = await repo(req, body.path);
    const branch = body.branch ?? (await git(deps, req, ['rev-parse', '--abbrev-ref', 'HEAD'], path)).trim();
    await git(deps, req, ['push', ...(body.set_upstream ? ['--set-upstream'] : []), ...(await remoteArgs(req, body, path)), branch], path);
    res.status(200).end();
  });

  router.post('/git/pull', async (req, res) => {
    const body = parseOrBadRequest(remoteSchema, req.body ?? {}, 'pull request');
    const path = await repo(req, body.path);
    const args = body.branch || body.remote || body.username || body.password
      ? [...(await remoteArgs(req, body, path)), ...(body.branch ? [body.branch] : [])]
      : [];
    await git(deps, req, ['-c', 'pull.rebase=false', 'pull', ...args], path);
    res.status(200).end();
  });

  return router;
}
