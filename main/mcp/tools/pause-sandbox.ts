import { defineTool, sandboxId, timeoutSec } from '../tool-kit.ts';
import { describeSandbox, sandboxRecord, sandboxShape } from './sandbox-format.ts';

export const pauseSandbox = defineTool({
  name: 'pause_sandbox',
  group: 'sandbox',
  title: 'Pause a sandbox',
  description:
    'Pauses a started sandbox: every process in it is frozen where it is, memory kept, and it uses no CPU. ' +
    'start_sandbox resumes it exactly there. Not every sandbox can pause (on Daytona Cloud only some sandbox classes; ' +
    'the message says so); stop_sandbox is the alternative that keeps only the files.',
  input: {
    id: sandboxId(),
    timeout: timeoutSec(60, 600, 'the sandbox to pause'),
  },
  output: sandboxShape,
  annotations: { title: 'Pause a sandbox', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    const sandbox = await daytona.pauseSandbox(args.id, args.timeout);
    return { text: `${describeSandbox(sandbox)} start_sandbox resumes it where it was.`, structured: sandboxRecord(sandbox) };
  },
});
