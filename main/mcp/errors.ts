import { redact } from '../core/redact.ts';
import { AppError } from '../core/app-error.ts';

/** Why a tool call failed, for callers that branch on it (tests, the tray's status). */
export type FailureKind =
  | 'no-profile'
  | 'auth'
  | 'forbidden'
  | 'not-found'
  | 'not-started'
  | 'timeout'
  | 'unreachable'
  | 'rate-limited'
  | 'invalid'
  | 'conflict'
  | 'too-large'
  | 'failed';

/** An expected failure whose message tells the agent what went wrong and what to do; never a stack. */
export class ToolFailure extends AppError {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

export const NO_PROFILE_MESSAGE =
  'No Daytona profile is configured, so there is no account to act for. Open Daytona Tray and add an API key ' +
  '(or choose the built-in local provider), or run `daytona-tray login`; when running the server by hand, set ' +
  'DAYTONA_API_KEY (and DAYTONA_API_URL for a self-hosted or local server) in its environment. Then retry.';

/** What the caller was doing, so the message can name it. */
export interface FailureContext {
  /** Imperative phrase: "create the sandbox", "run the command in sandbox abc". */
  action: string;
  apiUrl?: string;
  /** Values to scrub from any server-provided text (the API key, a git password). */
  secrets?: string[];
  /** The sandbox id or name the call used (404 on it means the sandbox is missing). */
  sandbox?: string;
  /** True when the call went to the sandbox's toolbox (a 404 there is a path, not the sandbox). */
  toolbox?: boolean;
  /** The sandbox user's home directory, when known (a toolbox 403 is a path outside it). */
  home?: string;
}

/*
 * Server messages are written for SDK users ("check with fs.listFiles", "start it with runAsync"); a model can
 * call none of those, so sentences naming SDK methods are dropped, and the tool's own hint is added once.
 */
const SDK_ADVICE = /[^.:;]*\b(?:fs|git|process|sandbox|daytona)\.[a-z]\w*\b[^.;]*[.;]?|[^.:;]*\brunAsync\b[^.;]*[.;]?/g;

export function withoutSdkAdvice(text: string): string {
  return text
    .replace(SDK_ADVICE, '')
    .replace(/\s*\(\s*\)/g, '')
    .replace(/\s{2,}/g, ' ')
    .replace(/[\s:;,]+$/, '')
    .trim();
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  statusCode?: number;
  code?: string;
}

const GIT_CODES = /^GIT_/;

/** Maps anything the Daytona SDK (or the network) throws to a ToolFailure with an actionable message. */
export function describeFailure(error: unknown, context: FailureContext): ToolFailure {
  if (error instanceof ToolFailure) return error;
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? (error as SdkErrorShape) : { message: String(error) };
  const secrets = context.secrets ?? [];
  const said = withoutSdkAdvice(redact(firstLine(shape.message ?? 'no details'), secrets)) || 'no details';
  const where = context.apiUrl ? ` at ${context.apiUrl}` : '';
  const status = shape.statusCode;
  const code = shape.code ?? '';
  const name = shape.name ?? '';

  if (code === 'GIT_AUTH_FAILED') {
    return new ToolFailure(
      'invalid',
      `Could not ${context.action}: the git server refused the credentials (${said}). Pass a valid username and password (a token for GitHub/GitLab), then retry.`,
    );
  }
  if (
    code === 'PROCESS_EXECUTION_TIMEOUT' ||
    name === 'DaytonaTimeoutError' ||
    name === 'DaytonaConnectionTimeoutError' ||
    status === 408 ||
    status === 504
  ) {
    return new ToolFailure(
      'timeout',
      `Could not ${context.action}: it timed out (${said}). Raise the 'timeout' argument, or split the work into shorter steps, then retry.`,
    );
  }
  if (name === 'DaytonaConnectionError' || isNetworkError(shape)) {
    return new ToolFailure(
      'unreachable',
      `Could not ${context.action}: Daytona${where} is unreachable (${said}). Check the network connection (for the local provider: that Daytona Tray is running), then retry.`,
    );
  }
  if (status === 401 && !GIT_CODES.test(code)) {
    return new ToolFailure(
      'auth',
      `API key rejected by Daytona${where}: set a new one with \`daytona-tray login\` (or in Daytona Tray's settings), then retry.`,
    );
  }
  if (status === 403 && context.toolbox) {
    const home = context.home ? `The sandbox user's home directory is ${context.home}` : "Use a path in the sandbox user's home directory";
    return new ToolFailure(
      'forbidden',
      `Could not ${context.action}: the path is outside what the sandbox lets you use (${said}). ${home}: give a path inside it (relative paths start there), or under /tmp.`,
    );
  }
  if (status === 403) {
    return new ToolFailure(
      'forbidden',
      `Could not ${context.action}: the API key is not allowed to do this (${said}). Create a key with the sandbox permissions in the Daytona dashboard and set it with \`daytona-tray login\`.`,
    );
  }
  if (status === 404) {
    if (context.sandbox && !context.toolbox) {
      return new ToolFailure(
        'not-found',
        `Sandbox '${context.sandbox}' was not found: list_sandboxes shows the sandboxes this profile can use.`,
      );
    }
    const hint = GIT_CODES.test(code)
      ? gitHint(context.action)
      : 'check the path with list_files (relative paths start in the sandbox home directory)';
    return new ToolFailure('not-found', `Could not ${context.action}: ${said.replace(/[.\s]+$/, '')} (${hint}).`);
  }
  if (status === 413) return new ToolFailure('too-large', `Could not ${context.action}: the payload is too large (${said}).`);
  if (status === 429) {
    return new ToolFailure(
      'rate-limited',
      `Could not ${context.action}: Daytona is rate-limiting this API key (${said}). Wait a minute, then retry.`,
    );
  }
  if (status === 409) return new ToolFailure('conflict', `Could not ${context.action}: ${said}`);
  if (status === 400 || status === 422 || name === 'DaytonaInvalidArgumentError' || name === 'DaytonaValidationError') {
    return new ToolFailure('invalid', `Could not ${context.action}: ${said}`);
  }
  if (status !== undefined && status >= 500) {
    if (/network|blocked|unreachable|could not resolve host|name resolution|connection (refused|timed out)/i.test(said)) {
      // A refusal by the sandbox's network rules is not transient: retrying changes nothing.
      return new ToolFailure(
        'failed',
        `Could not ${context.action}: the sandbox could not reach the network (${said}). Its network may be blocked (networkBlockAll / networkAllowList when it was created): allow the host, or create a sandbox with network access.`,
      );
    }
    return new ToolFailure(
      'failed',
      `Could not ${context.action}: Daytona answered ${status} (${said}). Retry in a moment; if it keeps failing, check the sandbox with list_sandboxes.`,
    );
  }
  return new ToolFailure('failed', `Could not ${context.action}: ${said}`);
}

/** Clone advice only where a clone was attempted; git_status and others get advice about the folder. */
function gitHint(action: string): string {
  return /\bclone\b/.test(action)
    ? 'check the repository URL and branch'
    : 'check that the path is a git repository folder (list_files shows it)';
}

function firstLine(text: string): string {
  // Server messages can carry a whole git or shell transcript; the first lines carry the reason.
  const trimmed = text.trim();
  return trimmed.length > 1500 ? `${trimmed.slice(0, 1500)}…` : trimmed;
}

function isNetworkError(shape: SdkErrorShape): boolean {
  return (
    /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE)$/.test(shape.code ?? '') ||
    /ECONNREFUSED|ENOTFOUND|socket hang up|getaddrinfo/.test(shape.message ?? '')
  );
}
