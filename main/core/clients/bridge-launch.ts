import { basename, dirname } from 'node:path';

/** The file name of the launcher an AppImage entry runs (bridge-launcher.ts writes it into the data folder). */
export const BRIDGE_LAUNCHER_NAME = 'daytona-tray-cli.cjs';

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
  /**
   * Set when this is a packaged app running from an AppImage: the AppImage file (`$APPIMAGE`) and the launcher
   * file in the data folder (bridge-launcher.ts). Its executable and CLI live in a mount (`/tmp/.mount_*`) that
   * changes at every launch and is gone once the app quits, so the entry names neither.
   */
  appImage?: { file: string; launcher: string } | undefined;
}

/**
 * electron-builder's AppRun adds `--no-sandbox` in front of the app's args when user namespaces are unavailable,
 * unless an arg already is `--no-sandbox` (app-builder-lib's appImageUtil.ts, generateAppRunScript); node mode
 * refuses that Chromium switch in front of the script. An AppImage entry carries one after the launcher file,
 * which AppRun sees and the launcher drops.
 */
export const APPIMAGE_NO_SANDBOX = '--no-sandbox';

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
  if (input.electron && input.appImage) {
    const { file, launcher } = input.appImage;
    if (!isAbsolutePath(file) || !isAbsolutePath(launcher))
      throw new Error(`Bridge AppImage paths must be absolute (got '${file}', '${launcher}').`);
    return { command: file, args: [launcher, APPIMAGE_NO_SANDBOX, 'bridge'], env };
  }
  return { command: input.execPath, args: [input.cliScript, 'bridge'], env };
}

/** What bridgeLaunchForThisProcess reads of this process (tests pass their own). */
export interface ThisProcess {
  execPath: string;
  electron: boolean;
  env: NodeJS.ProcessEnv;
}

/**
 * The bridge launch for this process (the CLI or the tray), given where the built CLI script lives and, for an
 * AppImage, where the launcher file goes. An AppImage is recognised by its runtime's variables: `$APPIMAGE` (the
 * file) and `$APPDIR` (its mount, which holds this executable).
 */
export function bridgeLaunchForThisProcess(
  cliScript: string,
  env: NodeJS.ProcessEnv = process.env,
  options: { launcher?: string; proc?: ThisProcess } = {},
): BridgeLaunch {
  const proc = options.proc ?? { execPath: process.execPath, electron: Boolean(process.versions.electron), env };
  const file = proc.env.APPIMAGE;
  const mount = proc.env.APPDIR;
  const inAppImage = proc.electron && file && mount && isInside(proc.execPath, mount);
  return resolveBridgeLaunch({
    execPath: proc.execPath,
    electron: proc.electron,
    cliScript,
    dataDirOverride: proc.env.DAYTONA_TRAY_HOME,
    ...(inAppImage && options.launcher ? { appImage: { file, launcher: options.launcher } } : {}),
  });
}

/**
 * How a program this process starts to outlive it must be started, when this process runs from an AppImage through
 * the launcher: the AppImage's runtime unmounts its files once this process (its child) exits, so such a program
 * (the bridge's shared server) is started through the AppImage file and the launcher, which mount it afresh. The
 * launcher names itself in DAYTONA_TRAY_LAUNCHER. Undefined otherwise: then this executable and script do.
 */
export function appImageRelaunch(env: NodeJS.ProcessEnv, execPath: string): { command: string; args: string[] } | undefined {
  const { APPIMAGE: file, APPDIR: mount, DAYTONA_TRAY_LAUNCHER: launcher } = env;
  if (!file || !mount || !launcher || !isInside(execPath, mount)) return undefined;
  return { command: file, args: [launcher, APPIMAGE_NO_SANDBOX] };
}

function isInside(path: string, dir: string): boolean {
  const base = dir.replace(/\/+$/, '');
  return path.startsWith(`${base}/`);
}

/**
 * Whether a config entry launches a Daytona Tray bridge, from this install or an older one: its args end
 * with `<...>/out/main/cli.js bridge` (an AppImage's: `<...>/daytona-tray-cli.cjs --no-sandbox bridge`), perhaps
 * followed by `--tools <groups>`. Lets setup replace a stale entry of ours but never someone else's.
 */
export function looksLikeOurBridge(args: readonly unknown[]): boolean {
  return bridgeScriptOf(args) !== undefined;
}

/** The script an entry of ours runs (`<...>/out/main/cli.js`, or the AppImage launcher file), or undefined when not ours. */
export function bridgeScriptOf(args: readonly unknown[]): string | undefined {
  const at = scriptIndex(args);
  return at === undefined ? undefined : (args[at] as string);
}

/** What follows `bridge` in an entry of ours (its options, e.g. `--tools files`); empty when none or not ours. */
export function bridgeOptionsOf(args: readonly unknown[]): unknown[] {
  const at = scriptIndex(args) === undefined ? undefined : bridgeIndex(args);
  return at === undefined ? [] : args.slice(at + 1);
}

/** Where the CLI script (or launcher file) of an entry of ours sits in its args, or undefined when not ours. */
function scriptIndex(args: readonly unknown[]): number | undefined {
  const at = bridgeIndex(args);
  if (at === undefined) return undefined;
  // An AppImage entry: `<launcher> --no-sandbox bridge`.
  const scriptAt = args[at - 1] === APPIMAGE_NO_SANDBOX ? at - 2 : at - 1;
  const script = args[scriptAt];
  if (scriptAt < 0 || typeof script !== 'string') return undefined;
  const normalized = script.replaceAll('\\', '/');
  const isCli = basename(normalized) === 'cli.js' && dirname(normalized).endsWith('/out/main');
  const isLauncher = basename(normalized) === BRIDGE_LAUNCHER_NAME;
  return isCli || isLauncher ? scriptAt : undefined;
}

function bridgeIndex(args: readonly unknown[]): number | undefined {
  // `bridge` is last, or followed by `--tools <groups>` / `--tools=<groups>` and nothing else.
  const tail = args.length >= 3 && args[args.length - 2] === '--tools' ? 2 : args.length >= 2 && isToolsEquals(args.at(-1)) ? 1 : 0;
  const at = args.length - 1 - tail;
  return at >= 1 && args[at] === 'bridge' ? at : undefined;
}

function isToolsEquals(arg: unknown): boolean {
  return typeof arg === 'string' && arg.startsWith('--tools=');
}

/** Absolute under POSIX or Windows rules (the entry may have been written for either). */
function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}
