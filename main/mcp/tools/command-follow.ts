import { z } from 'zod';
import type { CallContext } from '../call-context.ts';
import { followUpHint, refOf, release, waitForCommand, type Waited } from '../command-runner.ts';
import type { DaytonaPort } from '../daytona-port.ts';
import { defineTool, sandboxId, type Limits, type ToolOutcome } from '../tool-kit.ts';
import { handoffMs } from './execute-command.ts';

// The tools that follow a command execute_command handed off (its handle names its session and its id there).

const handle = () =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/, 'A handle is the word execute_command returned, unchanged.')
    .describe('The handle execute_command returned for the running command.');

const offset = () =>
  z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('Characters of output already read (nextOffset of the last result); default 0, from the start.');

const followOutput = {
  running: z.boolean(),
  exitCode: z.number().optional(),
  output: z.string(),
  offset: z.number(),
  nextOffset: z.number(),
};

/** The output from `offset`, at most the output limit of it; a finished command fully read is released. */
function outcome(daytona: DaytonaPort, id: string, handle: string, waited: Waited, from: number, limits: Limits): ToolOutcome {
  const start = Math.min(from, waited.output.length);
  const chunk = waited.output.slice(start, start + limits.maxOutputChars);
  const nextOffset = start + chunk.length;
  const more = nextOffset < waited.output.length;
  const body = chunk || '(no new output)';
  const structured = { running: waited.state === 'running', output: chunk, offset: start, nextOffset };
  if (waited.state === 'running') {
    return { text: `Still running. Output from offset ${start}:\n${body}\n${followUpHint(handle, nextOffset)}`, structured };
  }
  if (!more) release(daytona, id, refOf(handle));
  return {
    text:
      `exit code ${waited.exitCode}` +
      (more ? ` (more output: call command_output with offset ${nextOffset})` : ' (finished)') +
      `. Output from offset ${start}:\n${body}`,
    structured: { ...structured, exitCode: waited.exitCode },
  };
}

function waitOn(daytona: DaytonaPort, id: string, handle: string, waitMs: number, call: CallContext, limits: Limits) {
  const ref = refOf(handle);
  // Following a command is not owning it: a cancelled wait ends the wait and leaves the command running.
  return waitForCommand(daytona, id, ref, { call, waitMs, progressMs: limits.progressMs, stopOnCancel: false });
}

export const commandOutput = defineTool({
  name: 'command_output',
  group: 'process',
  title: 'Read a running command’s output',
  description:
    'Reads the output of a command execute_command handed off (by its handle), from `offset` on, without waiting, and ' +
    'says whether it still runs or its exit code.',
  input: { id: sandboxId(), handle: handle(), offset: offset() },
  output: followOutput,
  annotations: { title: 'Read a command’s output', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(args, { daytona, limits }, call) {
    const waited = await waitOn(daytona, args.id, args.handle, 0, call, limits);
    return outcome(daytona, args.id, args.handle, waited, args.offset, limits);
  },
});

export const commandWait = defineTool({
  name: 'command_wait',
  group: 'process',
  title: 'Wait for a running command',
  description:
    'Waits for a command execute_command handed off to end, up to `timeout` seconds (at most 50 unless your client takes ' +
    'progress notifications), and returns its output from `offset` and its exit code, or says it still runs.',
  input: {
    id: sandboxId(),
    handle: handle(),
    offset: offset(),
    timeout: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(30)
      .describe('Seconds to wait (default 30; above 50 only with progress notifications, which keep the client waiting).'),
  },
  output: followOutput,
  annotations: { title: 'Wait for a command', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(args, { daytona, limits }, call) {
    const waitMs = call.wantsProgress ? args.timeout * 1000 : Math.min(args.timeout * 1000, handoffMs(limits), 50_000);
    const waited = await waitOn(daytona, args.id, args.handle, waitMs, call, limits);
    return outcome(daytona, args.id, args.handle, waited, args.offset, limits);
  },
});

export const commandInput = defineTool({
  name: 'command_input',
  group: 'process',
  title: 'Send input to a running command',
  description: 'Sends one line of text to the stdin of a command execute_command handed off (a newline is added).',
  input: {
    id: sandboxId(),
    handle: handle(),
    data: z.string().max(1_000_000).describe('The text to send, e.g. "y" to answer a prompt.'),
  },
  annotations: {
    title: 'Send input to a command',
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
  async run(args, { daytona }) {
    await daytona.sendCommandInput(args.id, refOf(args.handle), args.data);
    return { text: `Sent ${args.data.length} characters to command ${args.handle}: read its reply with command_output or command_wait.` };
  },
});

export const commandStop = defineTool({
  name: 'command_stop',
  group: 'process',
  title: 'Stop a running command',
  description: 'Stops a command execute_command handed off, with everything it started, and returns its last output.',
  input: { id: sandboxId(), handle: handle() },
  annotations: { title: 'Stop a command', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(args, { daytona, limits }) {
    const ref = refOf(args.handle);
    const [exitCode, output] = await Promise.all([
      daytona.commandExitCode(args.id, ref),
      daytona.commandOutput(args.id, ref).catch(() => ''),
    ]);
    // An ended command's session may already serve another command: only a running one is stopped.
    if (exitCode === undefined) await daytona.stopCommand(args.id, ref);
    const tail = output.slice(-Math.min(limits.maxOutputChars, 4000));
    const state = exitCode === undefined ? 'Stopped command' : `Nothing to stop: it had already ended with exit code ${exitCode}. Command`;
    return { text: `${state} ${args.handle} in sandbox ${args.id}. Its last output:\n${tail || '(none)'}` };
  },
});
