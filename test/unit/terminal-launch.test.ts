import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote, terminalLaunch, TerminalError, windowsQuote, type TerminalCommand } from '../../main/core/terminal/terminal-launch.ts';

const command: TerminalCommand = {
  argv: ['/opt/Daytona Tray/daytona-tray', '/opt/Daytona Tray/resources/out/main/cli.js', 'shell', 'sbx-1'],
  env: { ELECTRON_RUN_AS_NODE: '1', DAYTONA_API_URL: 'http://127.0.0.1:4000/api', DAYTONA_API_KEY: 'dtl_secret' },
  title: 'Daytona sandbox web',
};
const only =
  (...programs: string[]) =>
  (program: string) =>
    programs.includes(program);

describe('terminal launch: which emulator runs the command, per OS', () => {
  it('Linux: the first installed emulator, each with its own way to take a command as separate words; env, never argv', () => {
    const xterm = terminalLaunch({ platform: 'linux', command, has: only('xterm') });
    expect(xterm).toEqual({ emulator: 'xterm', file: 'xterm', args: ['-T', command.title, '-e', ...command.argv], env: command.env });
    expect(xterm.args.join(' ')).not.toContain('dtl_secret');
    // Debian's choice of the user's emulator comes first; gnome-terminal before xterm.
    expect(terminalLaunch({ platform: 'linux', command, has: only('xterm', 'x-terminal-emulator') }).file).toBe('x-terminal-emulator');
    expect(terminalLaunch({ platform: 'linux', command, has: only('xterm', 'gnome-terminal') }).args).toEqual([
      '--title',
      command.title,
      '--',
      ...command.argv,
    ]);
    expect(terminalLaunch({ platform: 'linux', command, has: only('konsole') }).args).toEqual([
      '-p',
      `tabtitle=${command.title}`,
      '-e',
      ...command.argv,
    ]);
    // The user's $TERMINAL wins.
    expect(terminalLaunch({ platform: 'linux', command, has: only('xterm', 'st'), preferred: 'st' })).toMatchObject({
      file: 'st',
      args: ['-e', ...command.argv],
    });
  });

  it('Linux without any emulator: says what to install and the command to run by hand', () => {
    const error = (() => {
      try {
        terminalLaunch({ platform: 'linux', command, has: () => false });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(TerminalError);
    expect((error as Error).message).toMatch(/No terminal emulator was found .*apt-get install xterm.*\$TERMINAL/);
    expect((error as Error).message).not.toContain('dtl_secret');
  });

  it("macOS: Terminal through osascript, the command line as osascript's argument (shell-quoted), never inside the script", () => {
    const ssh: TerminalCommand = { argv: ['ssh', 'tok3n@ssh.app.daytona.io'], env: {}, title: 'x' };
    const launch = terminalLaunch({ platform: 'darwin', command: ssh, has: () => false });
    expect(launch.file).toBe('osascript');
    expect(launch.args.at(-1)).toBe('ssh tok3n@ssh.app.daytona.io');
    expect(launch.args.slice(0, -1).join('\n')).toContain('do script (item 1 of argv)');
    // Terminal.app does not pass our environment on: a command that needs it is refused with what to do instead.
    expect(() => terminalLaunch({ platform: 'darwin', command, has: () => false })).toThrow(/does not pass the app's environment on/);
  });

  it('Windows: a new console through cmd start, quoted once for cmd /s (verbatim), the environment inherited', () => {
    const launch = terminalLaunch({
      platform: 'win32',
      command: { ...command, argv: ['C:\\Program Files\\Daytona Tray\\app.exe', 'cli.js', 'shell', 'sbx-1'] },
      has: () => false,
    });
    expect(launch).toMatchObject({ file: 'cmd.exe', verbatim: true, env: command.env });
    expect(launch.args).toEqual([
      '/d',
      '/s',
      '/c',
      '"start "Daytona sandbox web" "C:\\Program Files\\Daytona Tray\\app.exe" cli.js shell sbx-1"',
    ]);
    expect(windowsQuote('a "b" c\\')).toBe('"a \\"b\\" c\\\\"');
  });

  it('shell quoting gives each word back as it was (checked by a real sh)', () => {
    const words = ['plain', 'with space', "it's", '$HOME', '`id`', 'a\\b', '"q"', '', '; rm -rf /'];
    const printed = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${words.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
    expect(printed.split('\n').slice(0, -1)).toEqual(words);
  });
});
