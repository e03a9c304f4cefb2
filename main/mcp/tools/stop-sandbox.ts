import { defineTool, sandboxId, timeoutSec } from '../tool-kit.ts';
import { describeSandbox, sandboxRecord, sandboxShape } from './sandbox-format.ts';

export const stopSandbox = defineTool({
  name: 'stop_sandbox',
  group: 'sandbox',
  title: 'Stop a sandbox',
  description: 'Stops a sandbox, keeping its files (it costs only disk while stopped). start_sandbox brings it back.',
  input: {
    id: sandboxId(),
    timeout: timeoutSec(60, 600, 'the sandbox to stop'),
  },
  output: sandboxShape,
  annotations: { title: 'Stop a sandbox', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    const sandbox = await daytona.stopSandbox(args.id, args.timeout);
    return { text: describeSandbox(sandbox), structured: sandboxRecord(sandbox) };
  },
});
