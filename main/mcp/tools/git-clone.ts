import { z } from 'zod';
import { withProgress, type CallContext } from '../call-context.ts';
import { cloneCommand, cloneCredentials, cloneFailure, NO_GIT_EXIT, NO_GIT_MARK } from '../clone-command.ts';
import { commandScript, followUpHint, handleOf, release, waitForCommand } from '../command-runner.ts';
import type { CloneParams, DaytonaPort } from '../daytona-port.ts';
import { clip, defineTool, sandboxId, type Limits } from '../tool-kit.ts';
import { handoffMs } from './execute-command.ts';

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

/** A ref or commit name git takes as one (no option-like leading dash, no spaces). */
const refName = (what: string) =>
  z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^-\s][^\s]*$/, `${what} is a single word that does not start with "-"`);

export const gitClone = defineTool({
  name: 'git_clone',
  group: 'git',
  title: 'Clone a git repository',
  description:
    'Clones a git repository into a sandbox (the clone runs inside the sandbox, with its network). For a private ' +
    'repository pass username and password (a personal access token for GitHub/GitLab); they are not stored in the clone. ' +
    "It sends git's progress every few seconds while the clone runs; cancelling the call stops the clone and removes the " +
    'folder it was cloning into. Without progress, a clone still running after about 45 s returns a handle that ' +
    'command_wait follows to its end.',
  input: {
    id: sandboxId(),
    url: z.string().min(1).max(2048).describe('Repository URL, e.g. https://github.com/org/repo.git.'),
    path: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('Where to clone (default: a folder named after the repository in the home directory).'),
    branch: refName('branch').optional().describe('Branch to check out (default: the remote default branch).'),
    commitId: refName('commitId').optional().describe('Commit to check out after cloning (detached HEAD).'),
    username: z.string().min(1).max(1024).optional().describe('Username for a private repository.'),
    password: z.string().min(1).max(4096).optional().describe('Password or access token for a private repository.'),
    depth: z.number().int().min(1).optional().describe('Shallow clone with this many commits.'),
  },
  output: { url: z.string(), path: z.string(), running: z.boolean().optional(), handle: z.string().optional() },
  annotations: { title: 'Clone a git repository', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(args, { daytona, limits }, call) {
    const path = args.path ?? defaultCloneFolder(args.url);
    const params: CloneParams = {
      url: args.url,
      path,
      branch: args.branch,
      commitId: args.commitId,
      username: args.username,
      password: args.password,
      depth: args.depth,
    };
    const cloned = await cloneInSession(daytona, args.id, params, call, limits);
    if (typeof cloned === 'object') {
      const output = clip(cloned.output, 4000);
      return {
        text:
          `Still cloning ${args.url} into ${path} after ${Math.round(handoffMs(limits) / 1000)} s, so handed off to the background; ` +
          `handle "${cloned.handle}". git's output so far:\n${output.text || '(none)'}\n${followUpHint(cloned.handle, cloned.output.length)} ` +
          'Exit code 0 means cloned; a stopped clone leaves its folder: remove it with delete_file.',
        structured: { url: args.url, path, running: true, handle: cloned.handle },
      };
    }
    if (!cloned) {
      // A sandbox without git: the toolbox clones (Daytona's daemon needs no git binary), and a cancel cannot stop it.
      const clone = daytona.gitClone(args.id, params);
      await withProgress(call, limits.progressMs, (seconds) => `cloning ${args.url} for ${seconds} s`, clone);
    }
    return {
      text: `Cloned ${args.url}${args.branch ? ` (branch ${args.branch})` : ''} into ${path} in sandbox ${args.id}.`,
      structured: { url: args.url, path },
    };
  },
});

/**
 * Clones with git in a session command (clone-command.ts), with git's progress as progress messages. A cancelled
 * call stops it and removes the folder it was cloning into, as git itself does when a clone fails or is interrupted
 * (and as Daytona's daemon leaves a failed clone: no folder). False when the sandbox has no git; a handle when a
 * client that asked for no progress would give up before the end (as execute_command hands off).
 */
async function cloneInSession(
  daytona: DaytonaPort,
  id: string,
  params: CloneParams,
  call: CallContext,
  limits: Limits,
): Promise<boolean | { handle: string; output: string }> {
  const credentials = cloneCredentials(params);
  const secrets = credentials ? [credentials.password, credentials.username] : [];
  const action = `clone ${params.url} into ${params.path} in sandbox ${id}`;
  const existed = (await daytona.fileInfoOrUndefined(id, params.path)) !== undefined;
  const ref = await daytona.startCommand(id, commandScript(cloneCommand(params, credentials !== undefined)));
  let ended = false;
  try {
    if (credentials) await daytona.sendCommandInput(id, ref, `${credentials.username}\n${credentials.password}`);
    const waitMs = call.wantsProgress ? Infinity : handoffMs(limits);
    const waited = await waitForCommand(daytona, id, ref, { call, waitMs, progressMs: limits.progressMs, stopOnCancel: false });
    ended = true;
    if (waited.state === 'running') return { handle: handleOf(ref), output: waited.output };
    release(daytona, id, ref);
    if (waited.exitCode === NO_GIT_EXIT && waited.output.includes(NO_GIT_MARK)) return false;
    if (waited.exitCode !== 0) throw cloneFailure(action, waited.exitCode, waited.output, secrets);
    return true;
  } catch (error) {
    // Stopped before the folder is removed: a running clone would write into it again.
    if (!ended) await daytona.stopCommand(id, ref).catch(() => {});
    if (call.signal.aborted && !existed) await daytona.deleteFile(id, params.path, true).catch(() => {});
    throw error;
  }
}
