import type { Router } from 'express';
import { z } from 'zod';
import { badRequest } from '../../errors.ts';
import { SANDBOX_HOME } from '../../sandbox-record.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { credential, refName, text, type GitRunner } from './run-git.ts';

const RECORD = '\u001e';
const FIELD = '\u0000';

/** Undoing and looking back: reset, restore, history; and `git.authenticate` (stored credentials). */
export function addResetRoutes(router: Router, { git, repoPath }: GitRunner): void {
  const files = z.array(text('file'));

  router.post('/git/reset', async (req, res) => {
    const body = parseOrBadRequest(
      z.object({
        path: text('path'),
        mode: z.enum(['soft', 'mixed', 'hard', 'merge', 'keep']).optional(),
        target: refName.optional(),
        files: files.optional(),
      }),
      req.body ?? {},
      'reset request',
    );
    const path = await repoPath(req, body.path);
    const mode = body.mode ?? 'mixed';
    const paths = body.files ?? [];
    if (paths.length > 0 && mode === 'hard') {
      // git refuses a hard reset with paths; the daemon (go-git) resets those files in the index and the worktree.
      await git(req, res, ['restore', `--source=${body.target ?? 'HEAD'}`, '--staged', '--worktree', '--', ...paths], path);
    } else {
      await git(req, res, ['reset', `--${mode}`, ...(body.target ? [body.target] : []), ...(paths.length ? ['--', ...paths] : [])], path);
    }
    res.status(200).end();
  });

  router.post('/git/restore', async (req, res) => {
    const body = parseOrBadRequest(
      z.object({
        path: text('path'),
        files: files.min(1, 'must name at least one file'),
        staged: z.boolean().optional(),
        worktree: z.boolean().optional(),
        source: refName.optional(),
      }),
      req.body ?? {},
      'restore request',
    );
    // The daemon's defaults: neither given restores the worktree; one given restores only that one.
    const staged = body.staged ?? false;
    const worktree = body.worktree ?? body.staged === undefined;
    if (!staged && !worktree) throw badRequest('Nothing to restore: set staged, worktree or both to true.', 'INVALID_REQUEST_BODY');
    const path = await repoPath(req, body.path);
    await git(
      req,
      res,
      [
        'restore',
        ...(body.source ? [`--source=${body.source}`] : []),
        ...(staged ? ['--staged'] : []),
        ...(worktree ? ['--worktree'] : []),
        '--',
        ...body.files,
      ],
      path,
    );
    res.status(200).end();
  });

  router.get('/git/history', async (req, res) => {
    if (!req.query.path) throw badRequest('path is required: pass the repository directory.');
    const path = await repoPath(req, req.query.path);
    const out = await git(req, res, ['log', `--format=%H%x00%an%x00%ae%x00%aI%x00%B${RECORD}`, 'HEAD', '--'], path);
    const commits = out
      .split(RECORD)
      .map((entry) => entry.replace(/^\n/, ''))
      .filter(Boolean)
      .map((entry) => {
        const [hash = '', author = '', email = '', timestamp = '', ...message] = entry.split(FIELD);
        return { hash, author, email, message: message.join(FIELD), timestamp };
      });
    res.json(commits);
  });

  // As the daemon does: git's "store" helper in the sandbox user's global config, filled through `git credential
  // approve` on stdin (never argv). The credentials then live in ~/.git-credentials inside the sandbox.
  router.post('/git/credentials', async (req, res) => {
    const body = parseOrBadRequest(
      z.object({
        username: credential.pipe(text('username')),
        password: credential.pipe(text('password')),
        host: credential.optional(),
        protocol: credential.optional(),
      }),
      req.body ?? {},
      'credentials request',
    );
    await git(req, res, ['config', '--global', 'credential.helper', 'store'], SANDBOX_HOME);
    const stdin = `protocol=${body.protocol || 'https'}\nhost=${body.host || 'github.com'}\nusername=${body.username}\npassword=${body.password}\n\n`;
    await git(req, res, ['credential', 'approve'], SANDBOX_HOME, undefined, { stdin, secrets: [body.password, body.username] });
    res.status(200).end();
  });
}
