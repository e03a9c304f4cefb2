import { z } from 'zod';
import { clip, defineTool, envVars, sandboxId, timeoutSec } from '../tool-kit.ts';

export const executeCommand = defineTool({
  name: 'execute_command',
  group: 'process',
  title: 'Run a shell command',
  description:
    'Runs a shell command in a sandbox (through sh -c, so pipes and && work) and returns its exit code and output ' +
    '(stdout and stderr together). A non-zero exit code is a normal result, not an error. Killed after `timeout` seconds.',
  input: {
    id: sandboxId(),
    command: z.string().min(1).max(100_000).describe('The shell command, e.g. "ls -la && python3 --version".'),
    cwd: z.string().min(1).max(4096).optional().describe('Working directory (default: the home directory).'),
    env: envVars().optional(),
    timeout: timeoutSec(120, 3600, 'the command'),
  },
  output: { exitCode: z.number(), output: z.string(), truncated: z.boolean() },
  annotations: { title: 'Run a shell command', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run(args, { daytona, limits }) {
    const result = await daytona.executeCommand(args.id, args.command, { cwd: args.cwd, env: args.env, timeoutSec: args.timeout });
    const output = clip(result.output, limits.maxOutputChars);
    return {
      text: `exit code ${result.exitCode}${output.text ? `\n${output.text}` : ' (no output)'}`,
      structured: { exitCode: result.exitCode, output: output.text, truncated: output.truncated },
    };
  },
});
