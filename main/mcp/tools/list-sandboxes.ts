import { SandboxState } from '@daytona/api-client/src/models/sandbox-state.js';
import { z } from 'zod';
import { daytonaValues } from '../../core/daytona-api/daytona-values.ts';
import { defineTool, labelMap } from '../tool-kit.ts';
import { sandboxRecord, sandboxShape } from './sandbox-format.ts';

/** Daytona's sandbox states, as its API client lists them. */
const STATES = daytonaValues(SandboxState);

export const listSandboxes = defineTool({
  name: 'list_sandboxes',
  group: 'sandbox',
  title: 'List sandboxes',
  description: 'Lists the sandboxes of the active Daytona profile with their id, name, state, size and labels. Filter by labels or states.',
  input: {
    labels: labelMap().optional().describe('Only sandboxes carrying all of these labels.'),
    states: z.array(z.enum(STATES)).min(1).optional().describe('Only sandboxes in one of these states, e.g. ["started"].'),
    limit: z.number().int().min(1).max(500).default(50).describe('At most this many sandboxes (default 50).'),
  },
  output: { sandboxes: z.array(z.object(sandboxShape)), count: z.number() },
  annotations: { title: 'List sandboxes', readOnlyHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    const sandboxes = await daytona.listSandboxes({ labels: args.labels, states: args.states, limit: args.limit });
    const lines = sandboxes.map((s) => {
      const labels = Object.entries(s.labels)
        .map(([key, value]) => `${key}=${value}`)
        .join(',');
      return `${s.id}  ${s.name}  ${s.state}  ${s.cpu} vCPU/${s.memory} GiB/${s.disk} GiB${labels ? `  ${labels}` : ''}`;
    });
    const text =
      sandboxes.length === 0
        ? 'No sandboxes match. Create one with create_sandbox.'
        : `${sandboxes.length} sandbox${sandboxes.length === 1 ? '' : 'es'} (id  name  state  size  labels):\n${lines.join('\n')}`;
    return { text, structured: { sandboxes: sandboxes.map(sandboxRecord), count: sandboxes.length } };
  },
});
