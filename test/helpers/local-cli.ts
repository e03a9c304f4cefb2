import { spawn, type ChildProcess } from 'node:child_process';
import { Daytona } from '@daytonaio/sdk';
import { CLI } from './paths.ts';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliProvider {
  child: ChildProcess;
  apiUrl: string;
  apiKey: string;
  /** The first stdout line, as printed. */
  readyLine: string;
  stdout(): string;
  stderr(): string;
  /** An unmodified SDK client for it; disposed by stop()/kill(). */
  daytona: Daytona;
  exited: Promise<Exit>;
  /** Sends `signal` (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** Env for a CLI child: no inherited provider settings, app data in `home` (never the real one). */
export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DAYTONA_TRAY_HOME: home, ...extra };
  for (const key of ['DAYTONA_TRAY_LOCAL_API_KEY', 'DAYTONA_TRAY_LOCAL_MINUTE_MS', 'DAYTONA_TRAY_NO_BWRAP']) {
    if (!(key in extra)) delete env[key];
  }
  return env;
}

/** Spawns the built CLI and collects its output until it exits; `input`, when given, is its whole stdin. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, input?: string) {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  child.stdin?.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

export interface CliRunOptions {
  /** The whole of its stdin (a key typed at a prompt); none by default. */
  input?: string;
  /** SIGKILLed after this long (default 30 s), so a hung command fails its test instead of hanging it. */
  timeoutMs?: number;
}

/** Runs the CLI to completion (for commands that should exit by themselves). */
export async function runCliToExit(args: string[], env: NodeJS.ProcessEnv, options: CliRunOptions = {}) {
  const run = spawnCli(args, env, options.input);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const exit = await run.exited.finally(() => clearTimeout(timer));
  return { ...exit, stdout: run.stdout(), stderr: run.stderr() };
}

/** Starts `daytona-tray local --json ...args` and waits for its one ready line. */
export async function startCliProvider(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<CliProvider> {
  const run = spawnCli(['local', '--json', ...args], env);
  const readyLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`the local provider did not print its ready line within ${timeoutMs} ms; stderr: ${run.stderr()}`));
    }, timeoutMs);
    const check = () => {
      const newline = run.stdout().indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      run.child.stdout?.off('data', check);
      resolve(run.stdout().slice(0, newline));
    };
    run.child.stdout?.on('data', check);
    void run.exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`the local provider exited before it was ready (${JSON.stringify(exit)}); stderr: ${run.stderr()}`));
    });
  });
  const { apiUrl, apiKey } = JSON.parse(readyLine) as { apiUrl: string; apiKey: string };
  const daytona = new Daytona({ apiUrl, apiKey });
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await daytona[Symbol.asyncDispose]();
  };
  return {
    child: run.child,
    apiUrl,
    apiKey,
    readyLine,
    stdout: run.stdout,
    stderr: run.stderr,
    daytona,
    exited: run.exited,
    async stop(signal = 'SIGTERM') {
      await dispose();
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill(signal);
      return run.exited;
    },
  };
}
