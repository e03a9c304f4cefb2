import { z } from 'zod';
import { defineTool } from '../tool-kit.ts';
import { annotations, answer, desktopId, withDesktop } from './computer-use-kit.ts';

const scope = () => z.enum(['focused', 'pid', 'all']).optional().describe('Scope: focused (the focused window), pid, or all.');
const pid = () => z.number().int().min(1).optional().describe('Process id, when scope is pid.');
const nodeId = () =>
  z
    .string()
    .trim()
    .min(1)
    .max(1024)
    .describe('Accessibility node id (bus-name:object-path), from computer_use_accessibility_tree or _find.');

export const computerUseAccessibilityTree = defineTool({
  name: 'computer_use_accessibility_tree',
  group: 'computer-use',
  title: 'Accessibility tree',
  description: "Returns the desktop's accessibility (AT-SPI) tree: roles, names, states, bounds and actions of the UI elements.",
  input: {
    id: desktopId(),
    scope: scope(),
    pid: pid(),
    max_depth: z.number().int().min(1).max(50).optional().describe('Maximum tree depth.'),
  },
  annotations: annotations.read('Accessibility tree'),
  async run(args, { daytona }) {
    const tree = await withDesktop(daytona, args.id, 'read the accessibility tree', (cu) =>
      cu.accessibility.getTree({
        ...(args.scope ? { scope: args.scope } : {}),
        ...(args.pid ? { pid: args.pid } : {}),
        ...(args.max_depth ? { maxDepth: args.max_depth } : {}),
      }),
    );
    return answer(`Accessibility tree${tree.truncated ? ' (truncated)' : ''}:`, tree);
  },
});

export const computerUseAccessibilityFind = defineTool({
  name: 'computer_use_accessibility_find',
  group: 'computer-use',
  title: 'Find UI elements',
  description: 'Finds accessibility nodes by role, name and states.',
  input: {
    id: desktopId(),
    scope: scope(),
    pid: pid(),
    role: z.string().max(100).optional().describe('AT-SPI role to match, e.g. push button.'),
    name: z.string().max(1000).optional().describe('Accessible name to match.'),
    name_match: z.enum(['exact', 'substring', 'regex']).optional().describe('How name matches: exact, substring or regex.'),
    states: z.array(z.string().max(50)).max(20).optional().describe('States every match must have, e.g. ["focusable", "visible"].'),
    limit: z.number().int().min(1).max(1000).optional().describe('Most nodes to return.'),
  },
  annotations: annotations.read('Find UI elements'),
  async run(args, { daytona }) {
    const { id, name_match: nameMatch, ...filters } = args;
    const result = await withDesktop(daytona, id, 'find accessibility nodes', (cu) =>
      cu.accessibility.findNodes({ ...filters, ...(nameMatch ? { nameMatch } : {}) }),
    );
    return answer(`${result.matches?.length ?? 0} matches${result.truncated ? ' (more exist: raise limit)' : ''}.`, result);
  },
});

export const computerUseAccessibilityFocus = defineTool({
  name: 'computer_use_accessibility_focus',
  group: 'computer-use',
  title: 'Focus a UI element',
  description: 'Moves the keyboard focus to an accessibility node.',
  input: { id: desktopId(), node_id: nodeId() },
  annotations: annotations.act('Focus a UI element', { idempotent: true }),
  async run(args, { daytona }) {
    await withDesktop(daytona, args.id, 'focus the node', (cu) => cu.accessibility.focusNode(args.node_id));
    return answer(`Focused ${args.node_id}.`, {});
  },
});

export const computerUseAccessibilityInvoke = defineTool({
  name: 'computer_use_accessibility_invoke',
  group: 'computer-use',
  title: 'Invoke a UI element',
  description: 'Invokes an action on an accessibility node (default click).',
  input: {
    id: desktopId(),
    node_id: nodeId(),
    action: z.string().min(1).max(100).default('click').describe('Action to invoke (default click).'),
  },
  annotations: annotations.act('Invoke a UI element'),
  async run(args, { daytona }) {
    await withDesktop(daytona, args.id, 'invoke the node', (cu) => cu.accessibility.invokeNode(args.node_id, args.action));
    return answer(`Invoked ${args.action} on ${args.node_id}.`, {});
  },
});

export const computerUseAccessibilitySetValue = defineTool({
  name: 'computer_use_accessibility_set_value',
  group: 'computer-use',
  title: 'Set a UI element value',
  description: 'Sets the value of an accessibility node (a text field, a slider).',
  input: { id: desktopId(), node_id: nodeId(), value: z.string().max(100_000).describe('Value to set.') },
  annotations: annotations.act('Set a UI element value', { idempotent: true }),
  async run(args, { daytona }) {
    await withDesktop(daytona, args.id, 'set the node value', (cu) => cu.accessibility.setNodeValue(args.node_id, args.value));
    return answer(`Set the value of ${args.node_id}.`, {});
  },
});
