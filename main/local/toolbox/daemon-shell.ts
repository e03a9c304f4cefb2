import { readFileSync } from 'node:fs';

/**
 * The shell Daytona's daemon runs `executeCommand` with (apps/daemon/pkg/common/get_shell.go, v0.190.0): zsh, then
 * bash, whichever /etc/shells lists first in that order, else sh. (The daemon falls back to its own $SHELL before sh;
 * a sandbox has no such daemon, so sh.) Local sandboxes see the host's /etc, so its /etc/shells decides.
 */
export function daemonShell(shells: string = readShells()): string {
  const listed = new Set(
    shells
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  return ['/usr/bin/zsh', '/bin/zsh', '/usr/bin/bash', '/bin/bash'].find((shell) => listed.has(shell)) ?? 'sh';
}

function readShells(): string {
  try {
    return readFileSync('/etc/shells', 'utf8');
  } catch {
    return '';
  }
}
