import { z } from 'zod';
import { clip, defineTool, envVars, sandboxId, timeoutSec } from '../tool-kit.ts';

export const codeRun = defineTool({
  name: 'code_run',
  group: 'process',
  title: 'Run code',
  description:
    "Runs a code snippet in a sandbox with the sandbox's language (create_sandbox `language`: python by default, or " +
    'typescript/javascript) and returns its exit code and output.',
  input: {
    id: sandboxId(),
    code: z.string().min(1).max(1_000_000).describe('The program, e.g. "print(6 * 7)".'),
    argv: z.array(z.string()).max(256).optional().describe('Command-line arguments for the program.'),
    env: envVars().optional(),
    timeout: timeoutSec(120, 3600, 'the program'),
  },
  output: { exitCode: z.number(), output: z.string(), truncated: z.boolean() },
  annotations: { title: 'Run code', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run(args, { daytona, limits }) {
    const result = await daytona.codeRun(args.id, args.code, { argv: args.argv, env: args.env, timeoutSec: args.timeout });
    const output = clip(result.output, limits.maxOutputChars);
    return {
      text: `exit code ${result.exitCode}${output.text ? `\n${output.text}` : ' (no output)'}`,
      structured: { exitCode: result.exitCode, output: output.text, truncated: output.truncated },
    };
  },
});
