import { failureOf } from '../http/http-errors.ts';

export interface WatcherProblem {
  /** `unauthorized`/`forbidden` stop the watcher until it is started again with new credentials. */
  kind: 'unauthorized' | 'forbidden' | 'rate-limited' | 'server' | 'network' | 'events';
  message: string;
}

/** A listing failure that retrying cannot fix (a refused key or sign-in, a missing permission), or undefined. */
export function fatalProblem(error: unknown, credentialKind: 'api-key' | 'sign-in' | undefined): WatcherProblem | undefined {
  // The token manager (auth/token-manager.ts) gave up: the sign-in must be repeated, as after a 401.
  if ((error as Error | undefined)?.name === 'SignInRequiredError') return { kind: 'unauthorized', message: (error as Error).message };
  const { kind } = failureOf(error);
  const detail = (error as Error).message;
  if (kind === 'unauthorized') {
    return {
      kind: 'unauthorized',
      message:
        credentialKind === 'sign-in'
          ? `Daytona rejected the sign-in (401): sign in again. (${detail})`
          : `API key rejected (401): Daytona did not accept it. Enter a new key (daytona-tray login), then the watcher starts again. (${detail})`,
    };
  }
  if (kind === 'forbidden') {
    return {
      kind: 'forbidden',
      message: `Not allowed to list sandboxes (403): give the API key the sandbox read permission, or use another key. (${detail})`,
    };
  }
  return undefined;
}

/** A listing failure worth retrying, saying when the next try is. */
export function transientProblem(error: unknown, delayMs: number): WatcherProblem {
  const retry = `retrying in ${Math.round(delayMs / 1000)} s`;
  const message = (error as Error | undefined)?.message ?? String(error);
  const failure = failureOf(error);
  if (failure.kind === 'rate-limited')
    return { kind: 'rate-limited', message: `Daytona is rate-limiting this organization (429); ${retry}.` };
  if (failure.status !== undefined) return { kind: 'server', message: `${message}; ${retry}.` };
  if (failure.kind === 'timeout' || failure.kind === 'unreachable') return { kind: 'network', message: `${message} (${retry}).` };
  return { kind: 'server', message: `${message} (${retry}).` };
}
