import { defineTool, sandboxId, timeoutSec } from '../tool-kit.ts';
import { describeSandbox, sandboxRecord, sandboxShape } from './sandbox-format.ts';

export const stopSandbox = defineTool({
  name: 'stop_sandbox',
  group: 'sandbox',
  title: 'Stop a sandbox',
  description:
    'Stops a sandbox. Its files are kept (it costs only disk while stopped) and start_sandbox brings it back, unless it is ' +
    'ephemeral (autoDeleteInterval 0): then Daytona deletes it, files and all, as soon as it stops. An archived sandbox is ' +
    'already stopped and is left as is.',
  input: {
    id: sandboxId(),
    timeout: timeoutSec(60, 600, 'the sandbox to stop'),
  },
  output: sandboxShape,
  // Destructive: running processes are killed, and an ephemeral sandbox is deleted with its files.
  annotations: { title: 'Stop a sandbox', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    const sandbox = await daytona.stopSandbox(args.id, args.timeout);
    const fate =
      sandbox.autoDeleteInterval === 0
        ? ' It is ephemeral (autoDeleteInterval 0), so Daytona deletes it now that it is stopped: its files are gone and start_sandbox cannot bring it back.'
        : ' Its files are kept; start_sandbox brings it back.';
    return { text: `${describeSandbox(sandbox)}${fate}`, structured: sandboxRecord(sandbox) };
  },
});
