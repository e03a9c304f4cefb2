import type { DaytonaPort } from './daytona-port.ts';
import type { Logger } from './log.ts';

/** Tools that manage a sandbox's life themselves: a refresh during them would be wrong or pointless. */
const LIFECYCLE_TOOLS = new Set([
  'create_sandbox',
  'destroy_sandbox',
  'start_sandbox',
  'stop_sandbox',
  'pause_sandbox',
  'fork_sandbox',
  'list_sandboxes',
  'set_auto_stop',
]);

/** The sandbox a tool call works in, when it works in one. */
export function sandboxOfCall(toolName: string, args: unknown): string | undefined {
  if (LIFECYCLE_TOOLS.has(toolName)) return undefined;
  const id = (args as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && id.trim() ? id.trim() : undefined;
}

/**
 * While a tool call runs, the sandbox counts as active: Daytona's auto-stop looks only at the last activity,
 * which a long command does not renew, so the activity is refreshed at a steady pace until `stop` is called.
 */
export function keepActive(daytona: DaytonaPort, id: string, everyMs: number, log: Logger): () => void {
  if (everyMs <= 0) return () => {};
  const timer = setInterval(() => {
    daytona
      .refreshActivity(id)
      .catch((error: unknown) => log.info(`could not refresh the activity of sandbox ${id}: ${(error as Error).message}`));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Exit codes of a command ended by a signal (SIGKILL, SIGTERM) or by its runner going away. */
const KILLED = new Set([-1, 137, 143]);

/** Whether a result may have been cut short by the sandbox stopping: an error, or a command killed by a signal. */
export function mayHaveStopped(isError: boolean, structured: Record<string, unknown> | undefined): boolean {
  return isError || KILLED.has(structured?.exitCode as number);
}

/**
 * A sentence for the result when the sandbox stopped while the call ran (call began at `sinceMs`, epoch ms), else
 * undefined. A result that already says "is stopped" gets it too when the sandbox changed during the call: the
 * command's own error then reads like a call on a sandbox that was stopped all along, which would mislead.
 */
export async function stoppedUnderCall(daytona: DaytonaPort, id: string, text: string, sinceMs: number): Promise<string | undefined> {
  const sandbox = await daytona.getSandbox(id).catch(() => undefined);
  if (!sandbox || sandbox.state === 'started') return undefined;
  // Compares Daytona's clock with ours: a skew of a second could at worst misplace a stop made in that second.
  const changedDuringCall = sandbox.updatedAt !== undefined && Date.parse(sandbox.updatedAt) > sinceMs;
  if (!changedDuringCall && text.includes(`is ${sandbox.state}`)) return undefined;
  return (
    `Sandbox ${id} stopped while this call ran (it is ${sandbox.state} now), which ended what was running: start it with ` +
    'start_sandbox, then retry; set_auto_stop can lengthen or switch off its auto-stop.'
  );
}
