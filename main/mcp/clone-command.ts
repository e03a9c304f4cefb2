import { redact } from '../core/redact.ts';
import type { CloneParams } from './daytona-port.ts';
import { ToolFailure } from './errors.ts';

/*
 * git_clone runs `git clone` as a session command (sdk-sessions.ts), not through the toolbox's /git/clone, because
 * the SDK's git.clone takes no AbortSignal and a toolbox clone cannot be stopped: a command's session can (deleting
 * it kills its process tree). It follows what Daytona's daemon does when it clones with the git CLI
 * (apps/daemon/pkg/git/clone.go in daytonaio/daytona): `--single-branch --progress`, no inherited credential helper,
 * no hooks, and credentials that never reach argv, the URL or .git/config. Here they do not reach the command
 * either: a session keeps every command's text (GET /process/session/{id} lists it, and the daemon writes it to
 * cmd.sh), so the command reads them from its stdin, sent with suppressInputEcho (input is then kept out of the
 * command's log: apps/daemon/pkg/session/input.go), and hands them to git through a credential helper that prints
 * two variables.
 */

/** The exit code and message the clone command ends with when the sandbox has no git. */
export const NO_GIT_EXIT = 127;
export const NO_GIT_MARK = 'daytona-tray: no git in this sandbox';

const USER_VAR = 'DAYTONA_TRAY_GIT_USERNAME';
const PASSWORD_VAR = 'DAYTONA_TRAY_GIT_PASSWORD';

/** Prints the two variables for `get` and ignores `store`/`erase`: the token is kept nowhere. */
const HELPER = `!f() { test "$1" = get || return 0; printf 'username=%s\\npassword=%s\\n' "$${USER_VAR}" "$${PASSWORD_VAR}"; }; f`;

/** A shell word that stays one word, whatever it holds. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Credentials a clone may use: both or neither, each one line. */
export function cloneCredentials(params: Pick<CloneParams, 'username' | 'password'>): { username: string; password: string } | undefined {
  const { username, password } = params;
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined || password === undefined) {
    throw new ToolFailure(
      'invalid',
      'Pass both username and password for a private repository (for a GitHub or GitLab token: your user name, or "oauth2", and the token), or neither for a public one.',
    );
  }
  if (/[\r\n\0]/.test(username + password)) {
    throw new ToolFailure('invalid', 'username and password must each be a single line: remove the line breaks and retry.');
  }
  return { username, password };
}

/** The lines of the clone command; with credentials it first reads them from its stdin (two lines). */
export function cloneCommand(params: CloneParams, withCredentials: boolean): string {
  const lines = ['GIT_TERMINAL_PROMPT=0', 'export GIT_TERMINAL_PROMPT'];
  if (withCredentials) {
    lines.push(`IFS= read -r ${USER_VAR} || exit 2`, `IFS= read -r ${PASSWORD_VAR} || exit 2`, `export ${USER_VAR} ${PASSWORD_VAR}`);
  }
  lines.push(`command -v git >/dev/null 2>&1 || { echo ${shellQuote(NO_GIT_MARK)}; exit ${NO_GIT_EXIT}; }`);
  // An empty credential.helper drops the helpers the sandbox's git config lists (one could store the token).
  const config = [
    '-c',
    'credential.helper=',
    ...(withCredentials ? ['-c', `credential.helper=${HELPER}`] : []),
    '-c',
    'core.hooksPath=/dev/null',
  ];
  const clone = [
    'git',
    ...config,
    'clone',
    '--single-branch',
    '--progress',
    ...(params.branch ? ['--branch', params.branch] : []),
    ...(params.depth ? ['--depth', String(params.depth)] : []),
    '--',
    params.url,
    params.path,
  ];
  lines.push(`${clone.map(shellQuote).join(' ')} || exit $?`);
  if (params.commitId) {
    // Checking out is local: no credentials for it (a hook could read them), as the daemon does.
    lines.push(`unset ${USER_VAR} ${PASSWORD_VAR}`);
    lines.push(
      ['git', '-c', 'core.hooksPath=/dev/null', '-C', params.path, 'checkout', '--detach', '-q', params.commitId].map(shellQuote).join(' '),
    );
  }
  return lines.join('\n');
}

/** The last lines git wrote, without its progress meters, for an error message. */
function gitSaid(output: string, secrets: string[]): string {
  const lines = output
    .split(/\r?\n/)
    .map((line) => line.split('\r').pop()!.trim())
    .filter((line) => line && !/^(remote: )?(Counting|Compressing|Enumerating|Receiving|Resolving|Updating|Total) /.test(line));
  const text = lines.slice(-6).join(' / ');
  return redact(text.length > 1500 ? `…${text.slice(-1500)}` : text, secrets) || 'no details';
}

/** A failed clone, described by what git said, with what to do about it. */
export function cloneFailure(action: string, exitCode: number, output: string, secrets: string[]): ToolFailure {
  const said = gitSaid(output, secrets);
  if (
    /authentication failed|could not read (username|password)|terminal prompts disabled|invalid username or password|HTTP Basic: Access denied|\b401\b/i.test(
      output,
    )
  ) {
    return new ToolFailure(
      'invalid',
      `Could not ${action}: the git server refused the credentials, or wants some (${said}). Pass a valid username and password (a token for GitHub/GitLab), then retry.`,
    );
  }
  if (/remote branch .* not found/i.test(output)) {
    return new ToolFailure(
      'not-found',
      `Could not ${action}: ${said} (check the branch name: git_status on another clone, or the repository's page, lists them).`,
    );
  }
  if (/already exists and is not an empty directory/i.test(output)) {
    return new ToolFailure('conflict', `Could not ${action}: ${said} (pick another path, or delete that folder first with delete_file).`);
  }
  if (/repository .*not found|does not appear to be a git repository|does not exist|not found|\b404\b/i.test(output)) {
    return new ToolFailure(
      'not-found',
      `Could not ${action}: repository not found, or not readable without credentials (${said}). Check the repository URL; for a private repository pass username and password.`,
    );
  }
  if (/could not resolve host|failed to connect|connection (refused|timed out)|network is unreachable|unable to access/i.test(output)) {
    return new ToolFailure(
      'failed',
      `Could not ${action}: the sandbox could not reach the git server (${said}). Check the URL; the sandbox's network may be blocked (networkBlockAll / networkAllowList when it was created): allow the host, or create a sandbox with network access.`,
    );
  }
  if (/reference is not a tree|did not match any|unable to read tree|bad object/i.test(output)) {
    return new ToolFailure(
      'not-found',
      `Could not ${action}: ${said} (check commitId: it must be on the cloned branch, and within depth).`,
    );
  }
  return new ToolFailure('failed', `Could not ${action}: git exited with code ${exitCode} (${said}).`);
}
