import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';

export type ShellEvent = { event: string } & Record<string, any>;

/** The built app (out/main/index.js) on the Electron double (test/fixtures/fake-electron), as a child process. */
export interface ShellDoubleApp {
  events: ShellEvent[];
  stderr(): string;
  seen(name: string): ShellEvent[];
  send(command: Record<string, unknown>): void;
  /** Resolves once an event matches; fails after 45 s with the app's stderr. */
  waitFor(condition: () => boolean, what: string): Promise<void>;
  exited: Promise<number | null>;
  kill(): void;
}

const TIMEOUT_MS = 45_000;

/** `script`: the entry to run (default the app's, out/main/index.js). */
export function startShellDoubleApp(env: NodeJS.ProcessEnv, script = join(REPO_ROOT, 'out', 'main', 'index.js')): ShellDoubleApp {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--import', join(REPO_ROOT, 'test', 'fixtures', 'fake-electron', 'register.mjs'), script],
    { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const events: ShellEvent[] = [];
  let stderr = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as ShellEvent);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const seen = (name: string) => events.filter((event) => event.event === name);
  return {
    events,
    stderr: () => stderr,
    seen,
    send: (command) => void child.stdin.write(`${JSON.stringify(command)}\n`),
    async waitFor(condition, what) {
      const deadline = Date.now() + TIMEOUT_MS;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
        if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}) before ${what}; stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    exited,
    kill: () => void (child.exitCode === null && child.kill('SIGKILL')),
  };
}
