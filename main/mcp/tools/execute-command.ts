import { z } from 'zod';
import { ToolFailure } from '../errors.ts';
import { commandScript, followUpHint, handleOf, release, waitForCommand } from '../command-runner.ts';
import { clip, defineTool, envVars, sandboxId, timeoutSec, type Limits } from '../tool-kit.ts';

/** Clients give up on a call after 60 s by default: a handed-off result must reach them before that. */
const MAX_HANDOFF_MS = 55_000;

export function handoffMs(limits: Limits): number {
  return Math.min(limits.handoffMs, MAX_HANDOFF_MS);
}

export const executeCommand = defineTool({
  name: 'execute_command',
  group: 'process',
  title: 'Run a shell command',
  description:
    'Runs a command line in a sandbox through its shell (sh -c semantics; bash in the default images), so pipes and && ' +
    'work, and returns its exit code and output (stdout and stderr together). A non-zero exit code is a normal result. ' +
    'Stopped, with everything it started, after `timeout` seconds. Long commands: with a progress token you get its ' +
    'latest output every few seconds until it ends; without one, a command still running after about 45 s (or at once ' +
    'with background: true, for servers and watchers) returns a handle that command_wait, command_output, command_input ' +
    'and command_stop follow. Cancelling the call stops the command. Do not start servers or GUI programs with `cmd &`: ' +
    'the call then waits for them or leaves them running untracked; pass background: true instead.',
  input: {
    id: sandboxId(),
    command: z.string().min(1).max(100_000).describe('The shell command, e.g. "ls -la && python3 --version".'),
    cwd: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('Working directory, an existing folder: absolute, or relative to the home directory (default: the home directory).'),
    env: envVars().optional(),
    timeout: timeoutSec(120, 3600, 'the command').describe(
      'Seconds the call waits for the command before stopping it (default 120, max 3600). A command handed off to the background is not stopped by it.',
    ),
    background: z
      .boolean()
      .default(false)
      .describe('Return at once with a handle and leave the command running (a server, a watcher); default false.'),
  },
  output: {
    exitCode: z.number().optional(),
    output: z.string(),
    truncated: z.boolean(),
    running: z.boolean(),
    handle: z.string().optional(),
    nextOffset: z.number().optional(),
  },
  annotations: { title: 'Run a shell command', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run(args, { daytona, limits }, call) {
    if (args.cwd !== undefined) {
      const cwd = await daytona.fileInfoOrUndefined(args.id, args.cwd);
      if (!cwd)
        throw new ToolFailure(
          'not-found',
          `The working directory ${args.cwd} does not exist in sandbox ${args.id}, so the command did not run: create it with create_folder, or leave cwd out to run in the home directory.`,
        );
      if (!cwd.isDir)
        throw new ToolFailure(
          'invalid',
          `The working directory ${args.cwd} is a file in sandbox ${args.id}, not a folder, so the command did not run: give its folder as cwd.`,
        );
    }
    const ref = await daytona.startCommand(args.id, commandScript(args.command, args.cwd, args.env));
    const handle = handleOf(ref);
    const timeoutMs = args.timeout * 1000;
    // A client that asked for progress resets its timeout on each notification, so it can wait to the end.
    const waitMs = args.background ? 0 : call.wantsProgress ? timeoutMs : Math.min(timeoutMs, handoffMs(limits));
    const waited = await waitForCommand(daytona, args.id, ref, { call, waitMs, progressMs: limits.progressMs, stopOnCancel: true });
    if (waited.state === 'exited') {
      release(daytona, args.id, ref);
      const output = clip(waited.output, limits.maxOutputChars);
      return {
        text: `exit code ${waited.exitCode}${output.text ? `\n${output.text}` : ' (no output)'}`,
        structured: { exitCode: waited.exitCode, output: output.text, truncated: output.truncated, running: false },
      };
    }
    if (waitMs === timeoutMs && !args.background) {
      await daytona.stopCommand(args.id, ref).catch(() => {});
      const output = clip(waited.output, limits.maxOutputChars);
      throw new ToolFailure(
        'timeout',
        `The command ran past its ${args.timeout} s timeout and was stopped with everything it started: raise timeout, or pass ` +
          `background: true and follow it with command_wait. Its output until then:\n${output.text || '(none)'}`,
      );
    }
    const output = clip(waited.output, limits.maxOutputChars);
    const seconds = Math.round(waitMs / 1000);
    return {
      text:
        `${args.background ? 'Started in the background' : `Still running after ${seconds} s, so handed off to the background`}; ` +
        `handle "${handle}". Output so far${output.text ? `:\n${output.text}` : ': none'}\n${followUpHint(handle, waited.output.length)}`,
      structured: {
        output: output.text,
        truncated: output.truncated,
        running: true,
        handle,
        nextOffset: waited.output.length,
      },
    };
  },
});
