import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './paths.ts';

/** A module of the app (`main/...ts`) as a child Node process imports it (Node strips the types). */
export function appModule(path: string): string {
  return pathToFileURL(join(REPO_ROOT, path)).href;
}

export interface LockHolder {
  pid: number;
  /** SIGKILLs the holder (no cleanup of any kind runs) and resolves once it is gone. */
  kill(): Promise<void>;
}

/**
 * Runs `take` (an ES module body with top-level await) in a real child Node process and resolves once it has
 * run, with the child still alive holding whatever it took: a lock holder that a test can then SIGKILL.
 * A `take` that never finishes (stuck inside a locked change) says it holds by writing `held` to fd 1 itself.
 */
export function holdInChild(take: string): Promise<LockHolder> {
  const script = `${take}\nprocess.stdout.write('held\\n');\nsetInterval(() => {}, 60_000);\n`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error(`the lock holder exited before it held the lock: ${stderr}`)));
    child.stdout.once('data', () =>
      resolve({
        pid: child.pid!,
        async kill() {
          child.kill('SIGKILL');
          await exited;
        },
      }),
    );
  });
}
