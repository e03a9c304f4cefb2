import type { Request, Router } from 'express';
import { z } from 'zod';
import { badRequest, conflict } from '../../errors.ts';
import { SANDBOX_HOME } from '../../sandbox-record.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { resolveSandboxPath } from '../sandbox-paths.ts';
import { refName, remoteName, text, type GitDeps, type GitRunner } from './run-git.ts';

const UNSET = '\u001eDAYTONA_UNSET';

/** Repository setup: init, remotes, config. */
export function addSetupRoutes(router: Router, deps: GitDeps, { dirsOf, git, repoPath }: GitRunner): void {
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
}
