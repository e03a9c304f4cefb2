import type { ChildProcess } from 'node:child_process';
import type { SandboxExec } from '../run-command.ts';

/** How long a desktop process gets to end after SIGTERM before SIGKILL. */
export const STOP_GRACE_MS = 3000;

/** Ends a desktop process started in the sandbox: SIGTERM, then SIGKILL after STOP_GRACE_MS; resolves once it exited. */
export async function endProcess(exec: SandboxExec, child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exec.runner.kill(child, 'SIGTERM');
  const timer = setTimeout(() => exec.runner.kill(child, 'SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
