import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { redact } from '../../../core/redact.ts';
import { notFound } from '../../errors.ts';
import { SANDBOX_HOME, type SandboxRecord } from '../../sandbox-record.ts';
import { abortOnClose, runInSandbox, type SandboxExec } from '../run-command.ts';
import { resolveSandboxPath } from '../sandbox-paths.ts';
import { gitError } from './git-errors.ts';

export interface GitDeps extends SandboxExec {
  recordOf(req: Request): SandboxRecord;
}

const GIT_TIMEOUT_SEC = 600;

export interface Credentials {
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

export const text = (field: string) => z.string().min(1, `${field} must not be empty`);
/** Names git could read as options are refused, so a branch can never become a flag. */
export const refName = text('name').refine(
  (value) => !value.startsWith('-') && !/[\s\0]/.test(value),
  'must be a git ref name (no leading dash, no whitespace)',
);
export const credential = z.string().refine((value) => !/[\r\n\0]/.test(value), 'must be a single line');
export const remoteName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a remote name such as origin');

export interface GitInput {
  stdin: string;
  secrets: string[];
}

export interface GitRunner {
  /** The request's sandbox directories. */
  dirsOf(req: Request): ReturnType<GitDeps['service']['dirsOf']>;
  /**
   * Runs git in `cwd` (a sandbox path) and returns its stdout; a failure becomes a typed daemon error. `input` goes to
   * git's stdin (not with credentials), its `secrets` are cut from any error message.
   */
  git(req: Request, res: Response, args: string[], cwd?: string, credentials?: Credentials, input?: GitInput): Promise<string>;
  /** The repository directory from a request: must be inside the sandbox, and must exist. */
  repoPath(req: Request, path: unknown): Promise<string>;
}

/** git inside the sandbox: a clone obeys networkBlockAll and sees only what the sandbox sees. */
export function createGitRunner(deps: GitDeps): GitRunner {
  const dirsOf = (req: Request) => deps.service.dirsOf(deps.recordOf(req).id);

  const git = async (req: Request, res: Response, args: string[], cwd?: string, credentials: Credentials = {}, input?: GitInput) => {
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
      stdin: useCredentials ? `${credentials.username ?? 'git'}\n${credentials.password ?? ''}\n` : input?.stdin,
    });
    if (result.exitCode !== 0)
      throw gitError(redact(result.output, [credentials.password, credentials.username, ...(input?.secrets ?? [])]), args);
    return result.stdout;
  };

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

  return { dirsOf, git, repoPath };
}
