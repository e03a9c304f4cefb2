import { basename, dirname } from 'node:path';

/** How an AI client starts our stdio bridge: the same for every client, written as its `daytona` entry. */
export interface BridgeLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export interface BridgeLaunchInput {
  /** Absolute path of the running executable (`process.execPath`): node, or the Electron/app binary. */
  execPath: string;
  /** True when that executable is Electron (`process.versions.electron` is set), packaged or not. */
  electron: boolean;
  /** Absolute path of the built CLI script (`out/main/cli.js`; inside resources in a packaged app). */
  cliScript: string;
  /** `DAYTONA_TRAY_HOME` when the user set one: the bridge must find the same state as the tray. */
  dataDirOverride?: string | undefined;
}

/**
 * Node runs `node cli.js bridge` directly. The Electron binary (dev checkout or packaged app) only acts as
 * Node with ELECTRON_RUN_AS_NODE=1, otherwise it would open a second tray. Absolute paths only: clients
 * launched from a macOS Dock have no shell PATH. Never a secret here: the bridge reads them itself.
 */
export function resolveBridgeLaunch(input: BridgeLaunchInput): BridgeLaunch {
  for (const [what, path] of [
    ['execPath', input.execPath],
    ['cliScript', input.cliScript],
  ] as const) {
    if (!isAbsolutePath(path)) throw new Error(`Bridge ${what} must be an absolute path (got '${path}').`);
  }
  const env: Record<string, string> = {};
  if (input.electron) env.ELECTRON_RUN_AS_NODE = '1';
  if (input.dataDirOverride) env.DAYTONA_TRAY_HOME = input.dataDirOverride;
  return { command: input.execPath, args: [input.cliScript, 'bridge'], env };
}

/** The bridge launch for this process (the CLI or the tray), given where the built CLI script lives. */
export function bridgeLaunchForThisProcess(cliScript: string, env: NodeJS.ProcessEnv = process.env): BridgeLaunch {
  return resolveBridgeLaunch({
    execPath: process.execPath,
    electron: Boolean(process.versions.electron),
    cliScript,
    dataDirOverride: env.DAYTONA_TRAY_HOME,
  });
}

/**
 * Whether a config entry launches a Daytona Tray bridge, from this install or an older one: its args end
 * with `<...>/out/main/cli.js bridge`, perhaps followed by `--tools <groups>`. Lets setup replace a stale
 * entry of ours but never someone else's.
 */
export function looksLikeOurBridge(args: readonly unknown[]): boolean {
  return bridgeScriptOf(args) !== undefined;
}

/** The CLI script an entry of ours runs (`<...>/out/main/cli.js`), or undefined when the args are not ours. */
export function bridgeScriptOf(args: readonly unknown[]): string | undefined {
  const at = bridgeIndex(args);
  return at === undefined ? undefined : (args[at - 1] as string);
}

/** What follows `bridge` in an entry of ours (its options, e.g. `--tools files`); empty when none or not ours. */
export function bridgeOptionsOf(args: readonly unknown[]): unknown[] {
  const at = bridgeIndex(args);
  return at === undefined ? [] : args.slice(at + 1);
}

function bridgeIndex(args: readonly unknown[]): number | undefined {
  // `bridge` is last, or followed by `--tools <groups>` / `--tools=<groups>` and nothing else.
  const tail = args.length >= 3 && args[args.length - 2] === '--tools' ? 2 : args.length >= 2 && isToolsEquals(args.at(-1)) ? 1 : 0;
  const at = args.length - 1 - tail;
  if (at < 1 || args[at] !== 'bridge') return undefined;
  const script = args[at - 1];
  if (typeof script !== 'string') return undefined;
  const normalized = script.replaceAll('\\', '/');
  return basename(normalized) === 'cli.js' && dirname(normalized).endsWith('/out/main') ? at : undefined;
}

function isToolsEquals(arg: unknown): boolean {
  return typeof arg === 'string' && arg.startsWith('--tools=');
}

/** Absolute under POSIX or Windows rules (the entry may have been written for either). */
function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}
