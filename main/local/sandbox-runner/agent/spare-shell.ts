import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What a spare shell runs first (its BASH_ENV). The agent starts one bash ahead of the next executeCommand, as
 * that command's shell, and bash reads this file at its start, before the command exists: `read` then waits for
 * the agent's go (one empty line on stdin, sent with the command). The rest undoes what starting early changed,
 * so the command meets the shell a fresh one is: SECONDS counts from the go, the file's descriptor (3) is closed,
 * BASH_ENV is not passed on to the command's children, and `$_` is the shell's name again, as bash sets it at its
 * start (the agent never uses a spare when the command's environment has `_`, SECONDS or a bash setting).
 */
const SPARE_SHELL_BOOTSTRAP = 'read -r _; exec 3<&-; unset BASH_ENV; SECONDS=0; : "$BASH_ARGV0"\n';

let bootstrap: number | null | undefined;

/**
 * The bootstrap as an open file with no name: made once per provider process, unlinked at once, its descriptor
 * kept (launch-agent gives it to every agent as fd 4). A sandbox sees no path of it; its spare shells open it
 * through /proc/self/fd. Undefined when it cannot be made (the agent then starts every shell on demand).
 */
export function spareShellBootstrap(): number | undefined {
  if (bootstrap === undefined) {
    let dir: string | undefined;
    try {
      dir = mkdtempSync(join(tmpdir(), 'daytona-tray-shell-'));
      const path = join(dir, 'bootstrap.bash');
      writeFileSync(path, SPARE_SHELL_BOOTSTRAP, { mode: 0o444 });
      bootstrap = openSync(path, 'r');
    } catch {
      bootstrap = null;
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }
  return bootstrap ?? undefined;
}
