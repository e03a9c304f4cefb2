import { Router, json, type Request, type Response } from 'express';
import { z } from 'zod';
import { ApiError, badRequest, notFound } from '../../errors.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { resolveSandboxPath } from '../sandbox-paths.ts';
import { parseStatus } from './git-status.ts';
import { createGitRunner, credential, refName, remoteName, text, type GitDeps } from './run-git.ts';
import { addResetRoutes } from './reset-routes.ts';
import { addSetupRoutes } from './setup-routes.ts';

export type { GitDeps } from './run-git.ts';

/**
 * Toolbox git routes (docs/daytona-api.md §6.3): the daily work here (clone, status, commit,
 * branches, push, pull), repository setup in setup-routes.ts, reset/restore/history in reset-routes.ts.
 */
export function gitRoutes(deps: GitDeps): Router {
  const router = Router();
  router.use(json({ limit: '1mb' }));
  const runner = createGitRunner(deps);
  const { dirsOf, git, repoPath } = runner;

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

  addSetupRoutes(router, deps, runner);
  addResetRoutes(router, runner);
  return router;
}
