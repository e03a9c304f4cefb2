import { z } from 'zod';
import { defineTool, sandboxId, timeoutSec } from '../tool-kit.ts';

export const destroySandbox = defineTool({
  name: 'destroy_sandbox',
  group: 'sandbox',
  title: 'Destroy a sandbox',
  description: 'Deletes a sandbox and everything in it, for good. Use stop_sandbox to keep its files.',
  input: {
    id: sandboxId(),
    timeout: timeoutSec(60, 600, 'the deletion'),
  },
  output: { id: z.string(), destroyed: z.boolean() },
  annotations: { title: 'Destroy a sandbox', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    await daytona.destroySandbox(args.id, args.timeout);
    return { text: `Sandbox ${args.id} is destroyed.`, structured: { id: args.id, destroyed: true } };
  },
});
