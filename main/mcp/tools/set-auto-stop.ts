import { z } from 'zod';
import { defineTool, sandboxId } from '../tool-kit.ts';
import { describeSandbox, sandboxRecord, sandboxShape } from './sandbox-format.ts';

export const setAutoStop = defineTool({
  name: 'set_auto_stop',
  group: 'sandbox',
  title: 'Set auto-stop',
  description:
    'Sets how many idle minutes a sandbox runs before it stops by itself (0 = never; mind the cost), and optionally ' +
    'when a stopped one is archived or deleted, whether an idle one pauses instead (autoPauseInterval, with autoStopInterval 0), ' +
    'and a time to live (ttlMinutes: deleted that many minutes from now, whatever its state).',
  input: {
    id: sandboxId(),
    autoStopInterval: z.number().int().min(0).describe('Minutes of inactivity before the sandbox stops (0 = never).'),
    autoArchiveInterval: z.number().int().min(0).optional().describe('Minutes stopped before it is archived (0 = the maximum).'),
    autoDeleteInterval: z.number().int().min(-1).optional().describe('Minutes stopped before it is deleted (-1 = never).'),
    autoPauseInterval: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Minutes of inactivity before the sandbox pauses (0 = never); needs autoStopInterval 0.'),
    ttlMinutes: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Minutes from now until the sandbox is deleted, whatever its state (0 = no limit).'),
  },
  output: sandboxShape,
  annotations: { title: 'Set auto-stop', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    const sandbox = await daytona.setAutoIntervals(args.id, {
      autoStopInterval: args.autoStopInterval,
      autoArchiveInterval: args.autoArchiveInterval,
      autoDeleteInterval: args.autoDeleteInterval,
      autoPauseInterval: args.autoPauseInterval,
      ttlMinutes: args.ttlMinutes,
    });
    return { text: describeSandbox(sandbox), structured: sandboxRecord(sandbox) };
  },
});
