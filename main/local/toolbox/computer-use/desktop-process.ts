import type { ChildProcess } from 'node:child_process';
import type { SandboxExec } from '../run-command.ts';

/** How long a desktop process gets to end after SIGTERM before SIGKILL. */
export const STOP_GRACE_MS = 3000;
/** The tail of a desktop process's stdout and stderr kept for the process-logs routes. */
const LOG_LIMIT = 64 * 1024;

/** A desktop process the provider runs in a sandbox (Xvfb, openbox, x11vnc, websockify): the child and its output. */
export interface ManagedProcess {
  child?: ChildProcess | undefined;
  logs: string;
  errors: string;
}

export const alive = (child: ChildProcess | undefined): child is ChildProcess =>
  !!child && child.exitCode === null && child.signalCode === null;

/** How a desktop process that did not come up ended, for its error message: a signal, an exit code, or still running. */
export function endedHow(child: ChildProcess | undefined): string {
  if (!child) return 'never started';
  if (child.signalCode) return `killed by ${child.signalCode}`;
  return child.exitCode === null ? 'still running, not ready in time' : `exit code ${child.exitCode}`;
}

/** Keeps the last LOG_LIMIT characters of the child's stdout (logs) and stderr (errors, with a failure to start). */
export function keepOutput(child: ChildProcess, managed: ManagedProcess): void {
  const keep = (key: 'logs' | 'errors') => (chunk: Buffer) => {
    managed[key] = (managed[key] + chunk.toString('utf8')).slice(-LOG_LIMIT);
  };
  child.stdout?.on('data', keep('logs'));
  child.stderr?.on('data', keep('errors'));
  child.once('error', (error) => keep('errors')(Buffer.from(`${error.message}\n`)));
}

/** Ends a desktop process started in the sandbox: SIGTERM, then SIGKILL after STOP_GRACE_MS; resolves once it exited. */
export async function endProcess(exec: SandboxExec, child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exec.runner.kill(child, 'SIGTERM');
  const timer = setTimeout(() => exec.runner.kill(child, 'SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
