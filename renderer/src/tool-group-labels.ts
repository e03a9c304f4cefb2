import type { ToolGroup } from '../../preload/contract.ts';

/** Each tool group's name and what it holds, as Settings and the Clients tab show them. */
export const TOOL_GROUP_LABELS: Record<ToolGroup, [string, string]> = {
  sandbox: ['Sandboxes', 'create, list, start, stop, destroy'],
  files: ['Files', 'upload, download, search, move'],
  process: ['Commands', 'run commands and code'],
  git: ['Git', 'clone and status'],
  preview: ['Previews', 'links to ports in a sandbox'],
  'computer-use': ['Computer use', 'a desktop in a sandbox: screenshots, mouse, keyboard (27 tools)'],
};
