import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { untilAborted, withProgress } from '../call-context.ts';
import type { DaytonaPort } from '../daytona-port.ts';
import { clip, defineTool, envVars, sandboxId, timeoutSec } from '../tool-kit.ts';

/**
 * The variable that marks a code_run's processes. The toolbox runs the program itself (POST /process/code-run) and the
 * SDK's codeRun takes no AbortSignal, so a cancelled call finds the program by this mark in /proc/<pid>/environ
 * (every process it starts inherits it) and kills it. Daytona's daemon runs it as a child of its own in a process
 * group of its own (apps/daemon/pkg/toolbox/process/coderun/handler.go in daytonaio/daytona); the local provider
 * runs it in the sandbox's namespaces. A program that clears its environment for a child hides that child.
 */
export const RUN_MARK = 'DAYTONA_TRAY_CODE_RUN';

/**
 * A shell script that kills every process carrying `RUN_MARK=<mark>`, in rounds until none is left (a process may
 * fork while the first round runs). Without /proc (a local provider on macOS) it reads `ps`'s environment column.
 */
export function killMarkedScript(mark: string): string {
  const wanted = `${RUN_MARK}=${mark}`;
  return [
    `m='${wanted}'`,
    'found() {',
    '  if [ -d /proc/self ]; then',
    '    for d in /proc/[0-9]*; do',
    '      p=${d#/proc/}',
    '      [ "$p" = "$$" ] && continue',
    '      tr "\\000" "\\n" < "$d/environ" 2>/dev/null | grep -qxF "$m" && echo "$p"',
    '    done',
    '  else',
    `    ps axeww -o pid= -o command= 2>/dev/null | grep -F " $m" | grep -vF "m='$m'" | awk '{print $1}'`,
    '  fi',
    '}',
    'for round in 1 2 3 4 5 6 7 8 9 10; do',
    '  pids=$(found)',
    '  [ -z "$pids" ] && exit 0',
    '  kill -9 $pids 2>/dev/null',
    '  sleep 0.1',
    'done',
    'exit 1',
  ].join('\n');
}

export const codeRun = defineTool({
  name: 'code_run',
  group: 'process',
  title: 'Run code',
  description:
    "Runs a code snippet in a sandbox with the sandbox's language (create_sandbox `language`: python by default, or " +
    'typescript/javascript) and returns its exit code and output. It sends progress every few seconds while it runs, and ' +
    'cancelling the call stops the program; for long programs prefer execute_command (e.g. python3 script.py), which ' +
    'streams output and can be handed off.',
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
    const mark = randomBytes(12).toString('hex');
    const running = daytona.codeRun(args.id, args.code, {
      argv: args.argv,
      env: { ...args.env, [RUN_MARK]: mark },
      timeoutSec: args.timeout,
    });
    // Once cancelled, the run's own answer (the killed program's) is not wanted.
    running.catch(() => {});
    const stop = () => void stopMarked(daytona, args.id, mark);
    if (call.signal.aborted) stop();
    call.signal.addEventListener('abort', stop, { once: true });
    try {
      const result = await withProgress(
        call,
        limits.progressMs,
        (seconds) => `running for ${seconds} s`,
        Promise.race([running, untilAborted(call.signal)]),
      );
      const output = clip(result.output, limits.maxOutputChars);
      return {
        text: `exit code ${result.exitCode}${output.text ? `\n${output.text}` : ' (no output)'}`,
        structured: { exitCode: result.exitCode, output: output.text, truncated: output.truncated },
      };
    } finally {
      call.signal.removeEventListener('abort', stop);
    }
  },
});

async function stopMarked(daytona: DaytonaPort, id: string, mark: string): Promise<void> {
  await daytona.executeCommand(id, killMarkedScript(mark), { timeoutSec: 30 }).catch(() => {});
}
