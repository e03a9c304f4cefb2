import { isDeepStrictEqual } from 'node:util';
import { looksLikeOurBridge, type BridgeLaunch } from './bridge-launch.ts';
import { findExecutable, isExecutableFile, pathExists, type Host } from './host.ts';

/** How a client spells a stdio entry: Claude Code and VS Code want `type: "stdio"`, the others take it bare. */
export interface EntryStyle {
  withType: boolean;
}

/** The `daytona` entry we write: command, args, and env only when there is something in it. */
export function buildEntry(launch: BridgeLaunch, style: EntryStyle): Record<string, unknown> {
  const entry: Record<string, unknown> = style.withType ? { type: 'stdio' } : {};
  entry.command = launch.command;
  entry.args = [...launch.args];
  if (Object.keys(launch.env).length > 0) entry.env = { ...launch.env };
  return entry;
}

export interface EntryVerdict {
  kind: 'ours' | 'foreign';
  /** Exactly what setup would write now (extra keys such as Windsurf's `disabled` are the user's business). */
  current: boolean;
  /** The command, and for our entry its CLI script, exist on disk. */
  commandExists: boolean;
}

export function judgeEntry(entry: unknown, desired: Record<string, unknown>, host: Host): EntryVerdict {
  const e = (entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? entry : {}) as Record<string, unknown>;
  const args = Array.isArray(e.args) ? e.args : [];
  const ours = typeof e.command === 'string' && looksLikeOurBridge(args);
  const current =
    e.command === desired.command &&
    isDeepStrictEqual(args, desired.args) &&
    isDeepStrictEqual(e.env ?? {}, desired.env ?? {}) &&
    (desired.type === undefined ? e.type === undefined || e.type === 'stdio' : (e.type ?? 'stdio') === desired.type) &&
    e.url === undefined;
  let commandExists = typeof e.command === 'string' && commandRuns(e.command, host);
  if (ours && commandExists) commandExists = pathExists(String(args[args.length - 2]));
  return { kind: ours ? 'ours' : 'foreign', current, commandExists };
}

/** The command exists (executable outside Windows); a bare name (someone else's entry) is looked up on PATH. */
function commandRuns(command: string, host: Host): boolean {
  const absolute = command.startsWith('/') || /^[A-Za-z]:[\\/]/.test(command);
  if (!absolute) return findExecutable(host, command) !== undefined;
  return host.platform === 'win32' ? pathExists(command) : isExecutableFile(command);
}
