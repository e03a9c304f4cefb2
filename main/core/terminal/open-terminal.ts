import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { terminalLaunch, TerminalError, type TerminalCommand, type TerminalLaunch } from './terminal-launch.ts';

/** Opens a command in a new terminal window on this machine. */
export interface TerminalOpener {
  /** Resolves with the emulator used once it started; rejects with a TerminalError that says what to do. */
  open(command: TerminalCommand): Promise<{ emulator: string }>;
}

/** An emulator that exits with an error this soon failed to open its window (no display, bad flags). */
const EARLY_EXIT_MS = 1500;
// Credentials of the app's own environment never reach the terminal: the command's `env` says what it gets.
const DROPPED_ENV = ['DAYTONA_API_KEY', 'DAYTONA_API_URL', 'DAYTONA_TARGET', 'DAYTONA_TRAY_LOCAL_API_KEY'];

export interface TerminalOpenerDeps {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  has?: (program: string) => boolean;
}

/** The real opener: finds the emulator (terminalLaunch) and starts it detached, outliving the app. */
export function createTerminalOpener(deps: TerminalOpenerDeps = {}): TerminalOpener {
  const platform = deps.platform ?? process.platform;
  const env = deps.env ?? process.env;
  const has = deps.has ?? ((program: string) => onPath(program, env, platform));
  return {
    open(command) {
      const launch = terminalLaunch({ platform, command, has, preferred: env.TERMINAL });
      return start(launch, env);
    },
  };
}

function start(launch: TerminalLaunch, env: NodeJS.ProcessEnv): Promise<{ emulator: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...env, ...launch.env };
  for (const name of DROPPED_ENV) if (!(name in launch.env)) delete childEnv[name];
  return new Promise((resolve, reject) => {
    const child = spawn(launch.file, launch.args, {
      env: childEnv,
      stdio: 'ignore',
      detached: true,
      windowsHide: false,
      ...(launch.verbatim ? { windowsVerbatimArguments: true } : {}),
    });
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.removeAllListeners();
      child.unref();
      if (error) reject(error);
      else resolve({ emulator: launch.emulator });
    };
    const timer = setTimeout(() => settle(), EARLY_EXIT_MS);
    child.once('error', (error) => settle(new TerminalError(`Could not start the terminal emulator ${launch.emulator}: ${error.message}`)));
    child.once('exit', (code, signal) => {
      // Some emulators hand the window to a server and exit 0 at once (gnome-terminal): that is success.
      if (code === 0) return settle();
      const display =
        process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY ? ' (neither DISPLAY nor WAYLAND_DISPLAY is set)' : '';
      settle(new TerminalError(`The terminal emulator ${launch.emulator} exited at once (${code ?? signal})${display}: no window opened.`));
    });
  });
}

/** Whether `program` is an executable on the PATH (or an absolute path to one). */
export function onPath(program: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): boolean {
  const executable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (isAbsolute(program)) return executable(program);
  const extensions = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  return (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => extensions.some((ext) => executable(join(dir, program + ext))));
}
