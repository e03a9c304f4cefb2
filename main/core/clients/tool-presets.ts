import { TOOL_GROUPS, type ToolGroup } from '../../../preload/contract.ts';
import type { BridgeLaunch } from './bridge-launch.ts';
import type { ClientId } from './types.ts';

/**
 * Tool presets: which of the server's tool groups a client's `daytona` entry asks for
 * (`daytona-tray bridge --tools sandbox,files`). Some clients refuse or truncate a long tool list, and with
 * computer use the server offers more tools than they take.
 */

/** A client's documented cap on the tools it offers the model (over all its servers), with where it is said. */
export interface ToolCap {
  limit: number;
  source: string;
}

export const TOOL_CAPS: Partial<Record<ClientId, ToolCap>> = {
  cursor: { limit: 40, source: 'https://docs.cursor.com/context/model-context-protocol' },
  windsurf: { limit: 100, source: 'https://docs.windsurf.com/windsurf/cascade/mcp' },
  vscode: { limit: 128, source: 'https://code.visualstudio.com/docs/copilot/chat/mcp-servers' },
};

/**
 * The groups a client gets unless the user chose others: every group, except where the client's cap would
 * be exceeded; Cursor then goes without computer use (27 tools on its own). test/unit/clients-tool-presets
 * checks each default against the server's real tool count.
 */
const DEFAULT_PRESETS: Partial<Record<ClientId, readonly ToolGroup[]>> = {
  cursor: TOOL_GROUPS.filter((group) => group !== 'computer-use'),
};

/** `undefined` means every group (the entry then carries no `--tools`). */
export type ToolPreset = readonly ToolGroup[] | undefined;

export function defaultPreset(id: ClientId): ToolPreset {
  return DEFAULT_PRESETS[id];
}

/** Groups in TOOL_GROUPS order, each once; all of them reads as `undefined` (no `--tools`). */
export function normalizePreset(groups: Iterable<ToolGroup> | undefined): ToolPreset {
  if (groups === undefined) return undefined;
  const wanted = new Set(groups);
  const ordered = TOOL_GROUPS.filter((group) => wanted.has(group));
  return ordered.length === TOOL_GROUPS.length ? undefined : ordered;
}

/**
 * Parses a `--tools` value: `all`, or group names separated by commas. Throws an Error that names the groups
 * for anything else (an empty list too: a server with no tools is no use to a client).
 */
export function parseToolsOption(value: string): ToolPreset {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 1 && names[0] === 'all') return undefined;
  const unknown = names.filter((name) => !(TOOL_GROUPS as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    const what = names.length === 0 ? 'no tool group named' : `unknown tool group${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`;
    throw new Error(`${what}: name groups separated by commas (${TOOL_GROUPS.join(', ')}), or all.`);
  }
  return normalizePreset(names as ToolGroup[]);
}

/**
 * The `--tools` arguments for a preset: none for every group, except on a client whose default is smaller,
 * where every group is written as `--tools all` (an entry without `--tools` there predates presets).
 */
export function toolsArgs(preset: ToolPreset, clientDefault: ToolPreset): string[] {
  if (preset === undefined) return clientDefault === undefined ? [] : ['--tools', 'all'];
  return ['--tools', preset.join(',')];
}

/**
 * The preset an entry's bridge args ask for (what follows `bridge`): `--tools a,b` or `--tools=a,b`;
 * null when they carry no `--tools` (every group, as the bridge reads it, but no choice was made).
 */
export function presetOfArgs(afterBridge: readonly unknown[]): ToolPreset | null {
  for (let i = 0; i < afterBridge.length; i++) {
    const arg = afterBridge[i];
    if (typeof arg !== 'string') continue;
    const value = arg === '--tools' ? afterBridge[i + 1] : arg.startsWith('--tools=') ? arg.slice('--tools='.length) : undefined;
    if (typeof value !== 'string') continue;
    try {
      return parseToolsOption(value);
    } catch {
      return null; // an entry edited into nonsense: the bridge itself says so; setup writes a valid one
    }
  }
  return null;
}

/** The launch with the preset's `--tools` after `bridge`. */
export function withTools(launch: BridgeLaunch, preset: ToolPreset, clientDefault: ToolPreset): BridgeLaunch {
  return { ...launch, args: [...launch.args, ...toolsArgs(preset, clientDefault)] };
}

/** Every group a preset offers, spelled out (for status and the window). */
export function groupsOf(preset: ToolPreset): ToolGroup[] {
  return preset === undefined ? [...TOOL_GROUPS] : [...preset];
}
