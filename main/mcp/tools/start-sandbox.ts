import { defineTool, sandboxId, timeoutSec } from '../tool-kit.ts';
import { describeSandbox, sandboxRecord, sandboxShape } from './sandbox-format.ts';

export const startSandbox = defineTool({
  name: 'start_sandbox',
  group: 'sandbox',
  title: 'Start a sandbox',
  description:
    'Starts a stopped (or archived) sandbox and returns once it is running; a sandbox in a recoverable error is recovered. ' +
    'A started sandbox is left as is.',
  input: {
    id: sandboxId(),
    timeout: timeoutSec(120, 1800, 'the sandbox to start'),
  },
  output: sandboxShape,
  annotations: { title: 'Start a sandbox', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    const sandbox = await daytona.startSandbox(args.id, args.timeout);
    return { text: describeSandbox(sandbox), structured: sandboxRecord(sandbox) };
  },
});
