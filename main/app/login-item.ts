import { mkdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.ts';

/** Start at login, as the OS keeps it. The shell implements it with Electron on macOS and Windows. */
export interface LoginItem {
  enabled(): Promise<boolean>;
  setEnabled(enabled: boolean): Promise<void>;
}

export const AUTOSTART_FILE_NAME = 'daytona-tray.desktop';

/** `$XDG_CONFIG_HOME/autostart/daytona-tray.desktop` (freedesktop.org Desktop Application Autostart spec). */
export function linuxAutostartFile(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'autostart', AUTOSTART_FILE_NAME);
}

/**
 * The command that starts this app again: the AppImage file itself when running from one (`$APPIMAGE`; the
 * executable sits in a mount that is gone after exit), else the executable, plus the app folder when it is
 * a development checkout run as `electron .`.
 */
export function launchCommand(input: { execPath: string; packaged: boolean; appPath: string; env?: NodeJS.ProcessEnv }): string[] {
  const appImage = input.env?.APPIMAGE;
  if (appImage) return [appImage];
  return input.packaged ? [input.execPath] : [input.execPath, input.appPath];
}

/** The autostart desktop entry that runs `command`. */
export function autostartEntry(command: readonly string[], name = 'Daytona Tray'): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${name}`,
    'Comment=Keeps the Daytona MCP server running and shows your sandboxes',
    `Exec=${command.map(quoteExecArgument).join(' ')}`,
    'Terminal=false',
    'NoDisplay=true',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Start at login on Linux, where Electron's setLoginItemSettings does nothing: an XDG autostart entry
 * (https://specifications.freedesktop.org/autostart-spec/latest/). Enabled = the file exists and is ours; disabling removes only our file.
 */
export function createLinuxLoginItem(options: { file?: string; command: readonly string[] }): LoginItem {
  const file = options.file ?? linuxAutostartFile();
  return {
    async enabled() {
      try {
        const text = await readFile(file, 'utf8');
        return (
          /^\[Desktop Entry\]/m.test(text) && !/^Hidden\s*=\s*true/m.test(text) && !/^X-GNOME-Autostart-enabled\s*=\s*false/m.test(text)
        );
      } catch {
        return false;
      }
    },
    async setEnabled(enabled) {
      if (!enabled) {
        await rm(file, { force: true });
        return;
      }
      await mkdir(join(file, '..'), { recursive: true });
      await writeFileAtomic(file, autostartEntry(options.command), { mode: 0o644 });
    },
  };
}

/**
 * One argument of a desktop entry's Exec key: quoted when it holds anything beyond plain characters, with
 * `"`, `` ` ``, `$` and `\` escaped inside the quotes; `%` doubled (field codes) everywhere. Backslashes are
 * then doubled once more, because the key's value is itself a string with escapes (Desktop Entry spec, "The
 * Exec key").
 */
export function quoteExecArgument(argument: string): string {
  const literal = argument.replaceAll('%', '%%');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(literal)) return literal;
  const quoted = `"${literal.replace(/(["`$\\])/g, '\\$1')}"`;
  return quoted.replaceAll('\\', '\\\\');
}
