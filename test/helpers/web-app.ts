import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { spawnCli, type CliChild } from './mcp-harness.ts';

export interface WebAppChild {
  cli: CliChild;
  /** The one-time link `app --json` printed. */
  url: string;
  /** Everything printed on stdout (the --json contract: exactly one line). */
  stdoutLines(): string[];
}

/**
 * Starts the built `daytona-tray app --no-open --json` (with `--web` unless `extraArgs` starts with
 * `--auto`: then the command itself picks, as `npm start` does) and waits for its one line.
 */
export async function startWebApp(env: NodeJS.ProcessEnv, cwd: string, extraArgs: string[] = [], timeoutMs = 60_000): Promise<WebAppChild> {
  const args = extraArgs[0] === '--auto' ? extraArgs.slice(1) : ['--web', ...extraArgs];
  const cli = spawnCli(['app', '--no-open', '--json', ...args], env, cwd);
  const lines: string[] = [];
  const first = new Promise<string>((resolve) => {
    createInterface({ input: cli.child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (lines.length === 1) resolve(line);
    });
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const line = await Promise.race([
      first,
      cli.exited.then(({ code }) => {
        throw new Error(`app --web exited with ${code} before printing its address: ${cli.stderr()}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`app --web printed nothing in ${timeoutMs} ms: ${cli.stderr()}`)), timeoutMs);
      }),
    ]);
    const url = (JSON.parse(line) as { url: string }).url;
    return { cli, url, stdoutLines: () => [...lines] };
  } catch (error) {
    await cli.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Every descendant of a process (Linux /proc), deepest last. */
export function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  const visit = (parent: number) => {
    let children: number[];
    try {
      children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return;
    }
    for (const child of children) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}
