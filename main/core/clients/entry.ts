import { isDeepStrictEqual } from 'node:util';
import { bridgeOptionsOf, bridgeScriptOf, type BridgeLaunch } from './bridge-launch.ts';
import { findExecutable, isExecutableFile, pathExists, type Host } from './host.ts';
import { launchStaleness, type StaleReason } from './stale-launch.ts';

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

/** Env vars we write into our entry; any other env var there is the user's. */
const OUR_ENV = ['ELECTRON_RUN_AS_NODE', 'DAYTONA_TRAY_HOME'];

export interface MergedEntry {
  entry: Record<string, unknown>;
  /** What the user added to our entry and the merge keeps (`disabled`, `env.FOO`). */
  kept: string[];
  /** What the merge changes in the existing entry (`args`, `env.DAYTONA_TRAY_HOME`). */
  changed: string[];
}

/**
 * Our entry as setup would write it over `existing` (an entry of ours, perhaps edited by the user): our
 * command, args and env vars win; anything else the user added stays, in its place.
 */
export function mergeEntry(existing: unknown, desired: Record<string, unknown>): MergedEntry {
  const old = asObject(existing);
  const entry: Record<string, unknown> = { ...old };
  const changed: string[] = [];
  const kept: string[] = [];
  for (const [key, value] of Object.entries(desired)) {
    if (key === 'env') continue;
    // Without a type a client assumes stdio: no need to add it to an entry that works.
    if (key === 'type' && value === 'stdio' && old.type === undefined) continue;
    if (!isDeepStrictEqual(old[key], value)) changed.push(key);
    entry[key] = value;
  }
  if (desired.type === undefined && old.type !== undefined && old.type !== 'stdio') {
    delete entry.type;
    changed.push('type');
  }
  if (old.url !== undefined) {
    delete entry.url; // a stdio entry with a url is read as a remote server by some clients
    changed.push('url');
  }
  const env = mergeEnv(old.env, desired.env, 'env', { kept, changed });
  if (Object.keys(env).length > 0) entry.env = env;
  else delete entry.env;
  for (const key of Object.keys(old)) if (!Object.hasOwn(desired, key) && !['env', 'url', 'type'].includes(key)) kept.push(key);
  return { entry, kept, changed };
}

/** The user's env vars stay; ours are set, or dropped when this install no longer writes them. */
function mergeEnv(existing: unknown, desired: unknown, key: string, into: { kept: string[]; changed: string[] }): Record<string, unknown> {
  const oldEnv = asObject(existing);
  const wanted = asObject(desired);
  const env: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(oldEnv)) {
    if (OUR_ENV.includes(name) && !Object.hasOwn(wanted, name)) into.changed.push(`${key}.${name}`);
    else if (!Object.hasOwn(wanted, name)) {
      env[name] = value;
      into.kept.push(`${key}.${name}`);
    }
  }
  for (const [name, value] of Object.entries(wanted)) {
    if (!isDeepStrictEqual(oldEnv[name], value)) into.changed.push(`${key}.${name}`);
    env[name] = value;
  }
  return env;
}

/**
 * A client whose entry is not `{command, args, env}` (OpenCode's command array, Goose's `cmd`/`envs`):
 * how to write it and where its launch sits. Our entry is recognised by its launch (args ending in
 * `<...>/out/main/cli.js bridge`), a marker that survives any round trip through the client's own format.
 */
export interface EntryShape {
  build(launch: BridgeLaunch): Record<string, unknown>;
  launchOf(entry: Record<string, unknown>): { command: unknown; args: unknown[]; env: unknown };
  /** The key of the entry's env map: the user's vars there stay, ours win (Goose `envs`, OpenCode `environment`). */
  envKey?: string;
  /** Keys a new entry gets but whose value is the user's once there (Goose `enabled`, `timeout`). */
  defaults?: string[];
}

/**
 * A shaped entry of ours as setup writes it: our launch keys win, the user's env vars and their values for
 * `defaults` stay, anything else the user added stays.
 */
export function mergeShaped(existing: unknown, desired: Record<string, unknown>, shape: EntryShape): MergedEntry {
  const old = asObject(existing);
  const entry: Record<string, unknown> = { ...old };
  const changed: string[] = [];
  const kept: string[] = [];
  for (const [key, value] of Object.entries(desired)) {
    if (key === shape.envKey) continue;
    if (shape.defaults?.includes(key) && Object.hasOwn(old, key)) {
      if (!isDeepStrictEqual(old[key], value)) kept.push(key);
      continue;
    }
    if (!isDeepStrictEqual(old[key], value)) changed.push(key);
    entry[key] = value;
  }
  if (shape.envKey !== undefined) {
    const env = mergeEnv(old[shape.envKey], desired[shape.envKey], shape.envKey, { kept, changed });
    // An empty map is written only where the client's own entries always carry one (Goose's `envs: {}`).
    if (Object.keys(env).length > 0 || Object.hasOwn(desired, shape.envKey)) entry[shape.envKey] = env;
    else delete entry[shape.envKey];
  }
  kept.push(...Object.keys(old).filter((key) => !Object.hasOwn(desired, key) && key !== shape.envKey));
  return { entry, kept, changed };
}

export interface EntryVerdict {
  kind: 'ours' | 'foreign';
  /** Setup would change nothing: it is ours as setup writes it now, plus only what the user added. */
  current: boolean;
  /** The command, and for our entry its CLI script, exist on disk. */
  commandExists: boolean;
  /** Ours, and it will not keep working (stale-launch.ts): the app repairs it at start. */
  stale?: StaleReason;
}

export function judgeEntry(entry: unknown, desired: Record<string, unknown>, host: Host, shape?: EntryShape): EntryVerdict {
  const e = (entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? entry : {}) as Record<string, unknown>;
  const launch = shape ? shape.launchOf(e) : { command: e.command, args: Array.isArray(e.args) ? e.args : [] };
  const args = launch.args;
  const script = bridgeScriptOf(args);
  const ours = typeof launch.command === 'string' && script !== undefined;
  const current = (shape ? mergeShaped(e, desired, shape) : mergeEntry(e, desired)).changed.length === 0;
  let commandExists = typeof launch.command === 'string' && commandRuns(launch.command, host);
  if (ours && commandExists && script !== undefined) commandExists = pathExists(script);
  const stale = ours ? launchStaleness(launch.command as string, script, () => commandExists) : undefined;
  return { kind: ours ? 'ours' : 'foreign', current, commandExists, ...(stale ? { stale } : {}) };
}

/** The args after `bridge` in an entry (ours or not: empty when not ours), through its shape when it has one. */
export function bridgeOptionsOfEntry(entry: unknown, shape?: EntryShape): unknown[] {
  const e = asObject(entry);
  const args = shape ? shape.launchOf(e).args : Array.isArray(e.args) ? e.args : [];
  return bridgeOptionsOf(args);
}

function asObject(value: unknown): Record<string, unknown> {
  return (value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
}

/** The command exists (executable outside Windows); a bare name (someone else's entry) is looked up on PATH. */
function commandRuns(command: string, host: Host): boolean {
  const absolute = command.startsWith('/') || /^[A-Za-z]:[\\/]/.test(command);
  if (!absolute) return findExecutable(host, command) !== undefined;
  return host.platform === 'win32' ? pathExists(command) : isExecutableFile(command);
}
