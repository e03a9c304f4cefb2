import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

export interface GitDaemon {
  port: number;
  /** `git://127.0.0.1:PORT/<name>` for a repository under the base path. */
  url(name: string): string;
  /** Stops the daemon and every connection it forked. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

/**
 * Serves every repository under `basePath` with `git daemon` on 127.0.0.1 (push enabled), so a sandbox,
 * which shares the host network but not its files, can clone from and push to it.
 */
export async function startGitDaemon(basePath: string): Promise<GitDaemon> {
  let lastError: unknown;
  // The free port is found, released, then taken by git: another process may win it, so retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      'git',
      [
        'daemon',
        '--export-all',
        '--enable=receive-pack',
        '--reuseaddr',
        '--informative-errors',
        `--base-path=${basePath}`,
        '--listen=127.0.0.1',
        `--port=${port}`,
        basePath,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      await waitForListening(child, port);
      return { port, url: (name) => `git://127.0.0.1:${port}/${name}`, stop: () => stopGroup(child) };
    } catch (error) {
      lastError = new Error(`git daemon did not start on port ${port}: ${(error as Error).message}\n${stderr}`);
      await stopGroup(child);
    }
  }
  throw lastError;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForListening(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, timeout: 1000 });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out waiting for it to listen');
}

/** SIGTERM to the daemon's process group, SIGKILL after a grace period; resolves once it has exited. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}
