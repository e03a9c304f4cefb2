import type { Logger } from './log.ts';

/** How long a shared server waits after its last client left before it exits, in ms (over the settings' minutes). */
export const SHARED_GRACE_ENV = 'DAYTONA_TRAY_SHARED_GRACE_MS';
/** Long enough for a client to restart (or a user to reopen a terminal) without the local sandboxes stopping. */
export const DEFAULT_SHARED_GRACE_MS = 10 * 60_000;

/**
 * The grace period: the environment's, else `settingMs` (the settings' `mcp.sharedGraceMinutes`). A malformed
 * environment value is an error that says what is expected.
 */
export function sharedGraceMs(env: NodeJS.ProcessEnv, settingMs = DEFAULT_SHARED_GRACE_MS): number {
  const raw = env[SHARED_GRACE_ENV];
  if (raw === undefined || raw.trim() === '') return settingMs;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${SHARED_GRACE_ENV} must be a whole number of milliseconds (got '${raw}')`);
  }
  return value;
}

export interface IdleExit {
  /** The number of open client sessions changed. */
  sessions(count: number): void;
  stop(): void;
}

const BUSY_RECHECK_MS = 200;
/**
 * How long a new server waits for its first client, whatever the grace period: the bridge that started it connects
 * once the runtime file appears, which on a loaded machine takes seconds, and a grace period of 0 must not end the
 * server before that bridge's first call.
 */
export const FIRST_CLIENT_MS = 30_000;

/**
 * Calls `onIdle` once no client session has been open for `graceMs`. Armed from the start (for at least
 * FIRST_CLIENT_MS), so a server whose first client never connected (its bridge died meanwhile) does not stay
 * forever. Not while `busy()` says a request is being answered.
 */
export function createIdleExit(options: { graceMs: number; log: Logger; onIdle(): void; busy?(): boolean }): IdleExit {
  let timer: NodeJS.Timeout | undefined;
  let fired = false;
  let hadClient = false;
  const expire = () => {
    // A request still being answered (a client's first initialize, before its session counts) is not idle: look again soon.
    if (options.busy?.()) {
      timer = setTimeout(expire, BUSY_RECHECK_MS);
      return;
    }
    fired = true;
    options.log.info(
      hadClient
        ? `no AI client has used this shared server for ${Math.round(options.graceMs / 1000)} s: exiting`
        : `no AI client connected within ${Math.round(Math.max(options.graceMs, FIRST_CLIENT_MS) / 1000)} s of the start: exiting`,
    );
    options.onIdle();
  };
  const arm = (count: number) => {
    clearTimeout(timer);
    timer = undefined;
    if (count > 0) hadClient = true;
    if (fired || count > 0) return;
    timer = setTimeout(expire, hadClient ? options.graceMs : Math.max(options.graceMs, FIRST_CLIENT_MS));
  };
  arm(0);
  return {
    sessions: arm,
    stop() {
      fired = true;
      clearTimeout(timer);
    },
  };
}
