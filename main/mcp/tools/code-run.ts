import { z } from 'zod';
import { withProgress } from '../call-context.ts';
import { clip, defineTool, envVars, sandboxId, timeoutSec } from '../tool-kit.ts';

export const codeRun = defineTool({
  name: 'code_run',
  group: 'process',
  title: 'Run code',
  description:
    "Runs a code snippet in a sandbox with the sandbox's language (create_sandbox `language`: python by default, or " +
    'typescript/javascript) and returns its exit code and output. It sends progress every few seconds while it runs; for ' +
    'long programs prefer execute_command (e.g. python3 script.py), which streams output and can be handed off and stopped.',
  input: {
    id: sandboxId(),
    code: z.string().min(1).max(1_000_000).describe('The program, e.g. "print(6 * 7)".'),
    argv: z.array(z.string()).max(256).optional().describe('Command-line arguments for the program.'),
    env: envVars().optional(),
    timeout: timeoutSec(120, 3600, 'the program'),
  },
  output: { exitCode: z.number(), output: z.string(), truncated: z.boolean() },
  annotations: { title: 'Run code', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run(args, { daytona, limits }, call) {
    const result = await withProgress(
      call,
      limits.progressMs,
      (seconds) => `running for ${seconds} s`,
      daytona.codeRun(args.id, args.code, { argv: args.argv, env: args.env, timeoutSec: args.timeout }),
    );
    const output = clip(result.output, limits.maxOutputChars);
    return {
      text: `exit code ${result.exitCode}${output.text ? `\n${output.text}` : ' (no output)'}`,
      structured: { exitCode: result.exitCode, output: output.text, truncated: output.truncated },
    };
  },
});
