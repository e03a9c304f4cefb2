import { AppError } from '../app-error.ts';

/** A program to run in a new terminal window: argv and the variables it needs (never in argv: they may be secrets). */
export interface TerminalCommand {
  argv: string[];
  /** Added to the environment the terminal emulator, and so the command, starts with. */
  env: Record<string, string>;
  /** The window's title where the emulator takes one. */
  title: string;
}

/** How to start the terminal emulator: the process to spawn (detached) and its environment additions. */
export interface TerminalLaunch {
  /** Which emulator (its program name), for messages and logs. */
  emulator: string;
  file: string;
  args: string[];
  env: Record<string, string>;
  /** Windows: pass args as they are (already quoted), not quoted again by Node. */
  verbatim?: boolean;
}

export class TerminalError extends AppError {}

/**
 * Linux terminal emulators in the order tried (after $TERMINAL), each with how it takes a command as separate argv
 * words. x-terminal-emulator is Debian's choice of the user's emulator, and by Debian policy takes `-e cmd args…`.
 */
const LINUX_EMULATORS: [name: string, args: (command: TerminalCommand) => string[]][] = [
  ['x-terminal-emulator', (c) => ['-T', c.title, '-e', ...c.argv]],
  ['gnome-terminal', (c) => ['--title', c.title, '--', ...c.argv]],
  ['konsole', (c) => ['-p', `tabtitle=${c.title}`, '-e', ...c.argv]],
  ['xfce4-terminal', (c) => ['--title', c.title, '-x', ...c.argv]],
  ['kitty', (c) => ['--title', c.title, ...c.argv]],
  ['alacritty', (c) => ['--title', c.title, '-e', ...c.argv]],
  ['foot', (c) => ['--title', c.title, ...c.argv]],
  ['wezterm', (c) => ['start', '--', ...c.argv]],
  ['xterm', (c) => ['-T', c.title, '-e', ...c.argv]],
];

/** POSIX shell quoting: one word, whatever it holds. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Windows command-line quoting of one argument (the rules CommandLineToArgvW reads back). */
export function windowsQuote(word: string): string {
  if (word !== '' && !/[\s"]/.test(word)) return word;
  return `"${word.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;
}

export interface TerminalLaunchInput {
  platform: NodeJS.Platform | (string & {});
  command: TerminalCommand;
  /** Whether a program is on the PATH (or an absolute path exists). */
  has(program: string): boolean;
  /** $TERMINAL: the user's own choice on Linux, tried first (as x-terminal-emulator's flags). */
  preferred?: string | undefined;
}

/**
 * The terminal emulator to open `command` in, per OS: Linux the user's or the first installed of LINUX_EMULATORS;
 * macOS Terminal through osascript; Windows a new console through cmd's `start` (which passes the environment on).
 * Throws TerminalError saying what to install or do when there is none.
 */
export function terminalLaunch({ platform, command, has, preferred }: TerminalLaunchInput): TerminalLaunch {
  if (command.argv.length === 0) throw new TerminalError('There is no command to run in the terminal.');
  if (platform === 'darwin') {
    // Terminal.app starts its shells from its own environment, not ours: nothing in `env` would reach the command.
    if (Object.keys(command.env).length > 0)
      throw new TerminalError(
        "macOS's Terminal does not pass the app's environment on to the command, so this terminal (which needs the local provider's address) cannot open there: " +
          "run 'daytona-tray local --json' in a terminal and 'daytona-tray shell <sandbox>' with DAYTONA_API_URL and DAYTONA_API_KEY set from what it prints.",
      );
    const line = command.argv.map(shellQuote).join(' ');
    // The command line is osascript's argument, not part of the script: no AppleScript quoting to get wrong.
    return {
      emulator: 'Terminal',
      file: 'osascript',
      args: [
        '-e',
        'on run argv',
        '-e',
        'tell application "Terminal"',
        '-e',
        'do script (item 1 of argv)',
        '-e',
        'activate',
        '-e',
        'end tell',
        '-e',
        'end run',
        line,
      ],
      env: {},
    };
  }
  if (platform === 'win32') {
    // `start "title" program args…` opens a new console window; the program inherits cmd's (our) environment.
    // One verbatim argument: /s makes cmd strip exactly the outer quotes and run the rest as it stands.
    const line = ['start', windowsQuote(command.title), ...command.argv.map(windowsQuote)].join(' ');
    return { emulator: 'cmd', file: 'cmd.exe', args: ['/d', '/s', '/c', `"${line}"`], env: command.env, verbatim: true };
  }
  const candidates = [...(preferred ? ([[preferred, (c: TerminalCommand) => ['-e', ...c.argv]]] as const) : []), ...LINUX_EMULATORS];
  for (const [name, args] of candidates) {
    if (has(name)) return { emulator: name, file: name, args: args(command), env: command.env };
  }
  throw new TerminalError(
    `No terminal emulator was found to open the sandbox's terminal in (tried ${LINUX_EMULATORS.map(([name]) => name).join(', ')}). ` +
      `Install one (e.g. 'sudo apt-get install xterm'), set $TERMINAL to yours, or run '${command.argv.map(shellQuote).join(' ')}' in a terminal.`,
  );
}
