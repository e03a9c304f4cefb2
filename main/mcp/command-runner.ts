import { setTimeout as sleep } from 'node:timers/promises';
import { cancelled, latestLines, withProgress, type CallContext } from './call-context.ts';
import type { CommandRef, DaytonaPort } from './daytona-port.ts';
import { ToolFailure } from './errors.ts';

/** How a wait for a command ended: the command did, or the wait's time ran out first. */
export type Waited = { state: 'exited'; exitCode: number; output: string } | { state: 'running'; output: string };

export interface WaitOptions {
  call: CallContext;
  /** How long to wait for the end (Infinity: as long as it runs). */
  waitMs: number;
  /** Pace of progress notifications, when the client asked for them. */
  progressMs: number;
  /** Whether a cancelled call stops the command (it does for the call that started it). */
  stopOnCancel: boolean;
}

/** Quick commands are seen to end within milliseconds; long ones are checked once a second. */
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 1000;

/**
 * The script a command runs as in its session: a subshell (so `exit` or `cd` end with it), in `cwd`, with
 * `env`, stderr joined to stdout in the order the command wrote them.
 */
export function commandScript(command: string, cwd?: string, env?: Record<string, string>): string {
  const lines: string[] = [];
  if (cwd !== undefined) lines.push(`cd -- ${quoted(cwd)} || exit $?`);
  for (const [name, value] of Object.entries(env ?? {})) lines.push(`export ${name}=${quoted(value)}`);
  return `(\n${[...lines, command].join('\n')}\n) 2>&1`;
}

function quoted(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The handle the follow-up tools take: the command's session and its id there. */
export function handleOf(ref: CommandRef): string {
  return `${ref.session}.${ref.commandId}`;
}

export function refOf(handle: string): CommandRef {
  const dot = handle.indexOf('.');
  if (dot <= 0 || dot === handle.length - 1) {
    throw new ToolFailure('invalid', `"${handle}" is not a command handle: pass the handle execute_command returned, unchanged.`);
  }
  return { session: handle.slice(0, dot), commandId: handle.slice(dot + 1) };
}

/**
 * Waits for a command to end, at most `waitMs`, reporting its latest output lines as progress. A cancelled call
 * rejects and, with `stopOnCancel`, stops the command (its session is deleted, which kills its process tree).
 */
export async function waitForCommand(daytona: DaytonaPort, id: string, ref: CommandRef, options: WaitOptions): Promise<Waited> {
  const { call } = options;
  const deadline = Date.now() + options.waitMs;
  const stop = () => {
    if (options.stopOnCancel) void daytona.stopCommand(id, ref).catch(() => {});
  };
  if (call.signal.aborted) stop();
  call.signal.addEventListener('abort', stop, { once: true });

  const poll = async (): Promise<Waited> => {
    for (let delay = FIRST_POLL_MS; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
      if (call.signal.aborted) throw cancelled();
      const exitCode = await daytona.commandExitCode(id, ref);
      if (exitCode !== undefined) return { state: 'exited', exitCode, output: await daytona.commandOutput(id, ref) };
      const left = deadline - Date.now();
      if (left <= 0) return { state: 'running', output: await daytona.commandOutput(id, ref) };
      await sleep(Math.min(delay, left), undefined, { signal: call.signal }).catch(() => {});
    }
  };
  const describe = async (elapsedSec: number) =>
    latestLines(await daytona.commandOutput(id, ref)) ?? `still running after ${elapsedSec} s, no output yet`;
  try {
    return await withProgress(call, options.progressMs, describe, poll());
  } finally {
    call.signal.removeEventListener('abort', stop);
  }
}

/** A finished command's result has been read: its session may serve another command. */
export function release(daytona: DaytonaPort, id: string, ref: CommandRef): void {
  void daytona.finishCommand(id, ref).catch(() => {});
}

/** What follow-up tools say next about a running command. */
export function followUpHint(handle: string, offset: number): string {
  return (
    `Follow it with handle "${handle}": command_wait waits for the end (bounded) and returns the output, command_output ` +
    `reads what is new from offset ${offset}, command_input sends a line to its stdin, command_stop stops it with everything it started.`
  );
}
