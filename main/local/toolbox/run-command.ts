import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { ApiError } from '../errors.ts';
import { SANDBOX_HOME, type SandboxRecord } from '../sandbox-record.ts';
import type { SandboxRunner } from '../sandbox-runner/index.ts';
import type { SandboxService } from '../sandbox-service.ts';
import { resolveSandboxPath } from './sandbox-paths.ts';

/** Output above this is cut (the process keeps running to completion); protects the provider's memory. */
export const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

/** Daytona's daemon runs commands with bash where the image has it (its GetShell prefers zsh, then bash). */
export const SANDBOX_SHELL = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';

/** Daytona's rule for variable names (daemon common.ValidateEnvKeys). */
export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface RunOptions {
  cwd?: string | undefined;
  env?: Record<string, string> | undefined;
  /** Seconds; 0 or undefined = no limit. */
  timeoutSec?: number | undefined;
  stdin?: string | undefined;
  /** Aborted when the HTTP client goes away: the command's tree is killed. */
  signal?: AbortSignal | undefined;
}

export interface RunResult {
  exitCode: number;
  /** stdout and stderr interleaved in arrival order. */
  output: string;
  stdout: string;
  stderr: string;
}

export interface SandboxExec {
  service: SandboxService;
  runner: SandboxRunner;
  /** While a sandbox's desktop runs, the variables its commands get: DISPLAY (as on Daytona) and its D-Bus session bus. */
  desktopEnvOf?: ((sandboxId: string) => Record<string, string>) | undefined;
  /** The daemon's environment for new processes (sandbox.updateEnv changes it); the sandbox's own variables if absent. */
  envOf?: ((record: SandboxRecord) => Record<string, string>) | undefined;
}

/** Resolves a cwd from a request: relative to the home directory (the daemon's work dir); `~` is home. */
export function sandboxCwd(cwd: string | undefined): string {
  if (!cwd) return SANDBOX_HOME;
  return posix.resolve(SANDBOX_HOME, cwd.replace(/^~(?=\/|$)/, SANDBOX_HOME));
}

/**
 * False when `cwd` (an absolute sandbox path) is in the sandbox's home or /tmp but is not a directory there.
 * Symlinks are followed as the sandbox sees them, so a link cannot probe the host. Other paths are the
 * read-only system view: the runner itself reports a missing one.
 */
export async function cwdExists(exec: SandboxExec, record: SandboxRecord, cwd: string): Promise<boolean> {
  // Under bubblewrap the home and /tmp themselves are mount points, which nothing inside can remove (EBUSY): the
  // usual cwd needs no look, which costs a few trips through libuv's thread pool per command (3 to 7 ms on a busy machine).
  if (exec.runner.isolation === 'bubblewrap' && (cwd === SANDBOX_HOME || cwd === '/tmp')) return true;
  const inSandbox = [SANDBOX_HOME, '/tmp'].some((root) => cwd === root || cwd.startsWith(`${root}/`));
  if (!inSandbox) return true;
  try {
    const resolved = await resolveSandboxPath(exec.service.dirsOf(record.id), cwd);
    return (await stat(resolved.hostPath)).isDirectory();
  } catch {
    return false;
  }
}

/** Starts a command in the sandbox (its own process group); stop/delete end it with the sandbox. */
export function spawnInSandbox(
  exec: SandboxExec,
  record: SandboxRecord,
  argv: string[],
  options: Pick<RunOptions, 'cwd' | 'env'>,
  stdio: ('pipe' | 'ignore')[],
): Promise<ChildProcess> {
  const env = { ...(exec.envOf?.(record) ?? record.env), ...exec.desktopEnvOf?.(record.id), ...options.env };
  return exec.service.spawn(record.id, argv, { cwd: sandboxCwd(options.cwd), env, stdio });
}

/**
 * How long output still in the pipes is read once the command exited, when something it started in the
 * background keeps them open (it inherited stdout/stderr): the reply does not wait for that job.
 */
const DRAIN_MS = 50;

/** Runs one command in the sandbox and waits for it; a timeout or an abort kills its whole tree. */
export async function runInSandbox(exec: SandboxExec, record: SandboxRecord, argv: string[], options: RunOptions = {}): Promise<RunResult> {
  let child: ChildProcess;
  try {
    child = await spawnInSandbox(exec, record, argv, options, [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(500, `Could not start the command: ${error instanceof Error ? error.message : String(error)}`);
  }
  const chunks: Buffer[] = [];
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let size = 0;
  let collecting = true;
  const collect = (into: Buffer[]) => (chunk: Buffer) => {
    if (!collecting || size >= MAX_OUTPUT_BYTES) return;
    const part = chunk.subarray(0, MAX_OUTPUT_BYTES - size);
    size += part.length;
    chunks.push(part);
    into.push(part);
  };
  child.stdout?.on('data', collect(out));
  child.stderr?.on('data', collect(err));
  if (options.stdin !== undefined) {
    // A command that exits without reading its input closes the pipe: that is not an error.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.stdin);
  }

  return new Promise<RunResult>((resolve, reject) => {
    let timedOut = false;
    const timer =
      options.timeoutSec && options.timeoutSec > 0
        ? setTimeout(() => {
            timedOut = true;
            exec.runner.kill(child);
          }, options.timeoutSec * 1000)
        : undefined;
    const onAbort = () => exec.runner.kill(child);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (error) => {
      cleanup();
      reject(new ApiError(500, `Could not start the command: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      cleanup();
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(drain);
        child.off('close', finish);
        // Later output belongs to background jobs: still read (so they never block on a full pipe, nor
        // die of SIGPIPE) but dropped. The pipes close when those jobs end, or with the sandbox.
        collecting = false;
        if (timedOut) {
          reject(
            new ApiError(
              408,
              `Command timed out after ${options.timeoutSec} s and was killed with everything it started: raise the timeout, or run it in a session with runAsync.`,
              'PROCESS_EXECUTION_TIMEOUT',
            ),
          );
          return;
        }
        const truncated = size >= MAX_OUTPUT_BYTES ? `\n[output truncated at ${MAX_OUTPUT_BYTES} bytes]` : '';
        resolve({
          exitCode: code ?? (signal ? 128 + signalNumber(signal) : 1),
          output: Buffer.concat(chunks).toString('utf8') + truncated,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      };
      // Usually the pipes close right after the exit. When a background job holds them, what the command
      // wrote is already in them: one poll phase after the grace timer reads it (even on a busy loop).
      const drain = setTimeout(() => setImmediate(finish), DRAIN_MS);
      child.once('close', finish);
    });
  });
}

/** Aborts when the HTTP client goes away before the reply is sent (the command's tree is then killed). */
export function abortOnClose(res: { writableFinished: boolean; on(event: 'close', listener: () => void): unknown }): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

export function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 } as Record<string, number>)[signal] ?? 1;
}
