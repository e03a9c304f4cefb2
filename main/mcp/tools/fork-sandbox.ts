import { z } from 'zod';
import { defineTool, sandboxId, timeoutSec } from '../tool-kit.ts';
import { describeSandbox, sandboxRecord, sandboxShape } from './sandbox-format.ts';

export const forkSandbox = defineTool({
  name: 'fork_sandbox',
  group: 'sandbox',
  title: 'Fork a sandbox',
  description:
    'Creates a new sandbox from a started one: a copy of its files and settings, started, that goes its own way from ' +
    'then on (the original is unchanged). Returns the new sandbox with its id: pass that id to other tools to work in the fork.',
  input: {
    id: sandboxId(),
    name: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{1,63}$/, 'A sandbox name is 1-63 letters, digits, dots, underscores or hyphens.')
      .optional()
      .describe('A name for the fork: 1-63 of A-Z a-z 0-9 . _ - (unique in the organization); Daytona picks one when omitted.'),
    timeout: timeoutSec(120, 1800, 'the fork to start'),
  },
  output: sandboxShape,
  annotations: { title: 'Fork a sandbox', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(args, { daytona }) {
    const fork = await daytona.forkSandbox(args.id, args.name, args.timeout);
    return { text: `Forked ${args.id}. ${describeSandbox(fork)}`, structured: sandboxRecord(fork) };
  },
});
