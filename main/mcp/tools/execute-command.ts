import { z } from 'zod';
import { ToolFailure } from '../errors.ts';
import { clip, defineTool, envVars, sandboxId, timeoutSec } from '../tool-kit.ts';

export const executeCommand = defineTool({
  name: 'execute_command',
  group: 'process',
  title: 'Run a shell command',
  description:
    'Runs a command line in a sandbox through its shell, `<shell> -c`: bash in the default images (Daytona takes zsh ' +
    'if an image lists it in /etc/shells, then bash, else sh), so pipes and && work; bash-only syntax works there. It ' +
    'returns its exit code and output (stdout and stderr together). A non-zero exit code is a normal result, not an ' +
    'error. Killed, with everything it started, after `timeout` seconds. No input: a command waiting for stdin gets none.',
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
    timeout: timeoutSec(120, 3600, 'the command'),
  },
  output: { exitCode: z.number(), output: z.string(), truncated: z.boolean() },
  annotations: { title: 'Run a shell command', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run(args, { daytona, limits }) {
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
    const result = await daytona.executeCommand(args.id, args.command, { cwd: args.cwd, env: args.env, timeoutSec: args.timeout });
    const output = clip(result.output, limits.maxOutputChars);
    return {
      text: `exit code ${result.exitCode}${output.text ? `\n${output.text}` : ' (no output)'}`,
      structured: { exitCode: result.exitCode, output: output.text, truncated: output.truncated },
    };
  },
});
