import { spawn } from 'node:child_process';

const HELPER_TIMEOUT_MS = 10_000;

/**
 * Renames a started 'nested' sandbox: hostname(1) run as root of the provider's outer user namespace (which
 * owns, through bwrap's, the sandbox's UTS namespace), joined to that UTS namespace only. `outerUserNs` is
 * the outer namespace's file (held open by the runner); `done` is called once the helper has exited.
 */
export function setHostname(
  nsenter: string,
  outerUserNs: string,
  initPid: number,
  hostnameTool: string,
  name: string,
  done: () => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(
      nsenter,
      [`--user=${outerUserNs}`, '--preserve-credentials', '--', nsenter, '--target', String(initPid), '--uts', '--', hostnameTool, name],
      { stdio: ['ignore', 'ignore', 'pipe'], env: {}, timeout: HELPER_TIMEOUT_MS },
    );
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      if (stderr.length < 1000) stderr += chunk;
    });
    child.once('error', (error) => {
      done();
      reject(error);
    });
    child.once('close', (code) => {
      done();
      if (code === 0) resolve();
      else reject(new Error(`hostname ${name} failed (${code}): ${stderr.trim().slice(0, 200) || 'no output'}`));
    });
  });
}
