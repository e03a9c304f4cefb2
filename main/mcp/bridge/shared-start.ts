import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeDataDir } from '../../core/data-dir.ts';

export interface SharedStartOptions {
  /** The executable running this bridge (node, or the app binary with ELECTRON_RUN_AS_NODE in `env`). */
  execPath: string;
  /** The CLI script this bridge runs from. */
  cliScript: string;
  /** What comes before `mcp` instead of the script (an AppImage's launcher and `--no-sandbox`: appImageRelaunch). */
  launchArgs?: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Where the shared server's log goes (it outlives this bridge, so not our stderr). */
  logFile: string;
  /** How long the server may take to say it serves (default 60 s: it may wait for the start lock). */
  timeoutMs?: number;
}

/** `mcp --http --json --shared`'s first line. Checked by hand: zod would cost every bridge ~18 MB (messages.ts). */
function readyLine(text: string): { url: string; pid: number; alreadyRunning: boolean; shared: boolean } {
  const value = JSON.parse(text) as { url?: unknown; pid?: unknown; alreadyRunning?: unknown; shared?: unknown };
  if (typeof value.url !== 'string' || !URL.canParse(value.url) || !Number.isInteger(value.pid) || (value.pid as number) <= 0) {
    throw new Error('not a ready line');
  }
  return { url: value.url, pid: value.pid as number, alreadyRunning: value.alreadyRunning === true, shared: value.shared !== false };
}

// One old log is kept; a shared server starts on most days, and its log is for debugging the last few.
const MAX_LOG_BYTES = 1024 * 1024;

/**
 * Starts `daytona-tray mcp --http --shared` as a detached process (its own session, outliving this bridge)
 * and waits for its first line: it serves (and wrote the runtime file), or another server won the start lock.
 * Returns what happened, in words for the bridge's log; throws with the reason when no server came up.
 */
export async function startSharedServer(options: SharedStartOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  await makeDataDir(dirname(options.logFile));
  await rotate(options.logFile);
  const logFd = openSync(options.logFile, 'a', 0o600);
  let child;
  try {
    child = spawn(options.execPath, [...(options.launchArgs ?? [options.cliScript]), 'mcp', '--http', '--json', '--shared'], {
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', logFd],
      windowsHide: true,
    });
  } finally {
    closeSync(logFd);
  }
  const stdout = child.stdout!;
  stdout.setEncoding('utf8');
  const outcome = await new Promise<{ line?: string; failure?: string }>((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve({ failure: `it did not say it serves within ${timeoutMs / 1000} s` }), timeoutMs);
    const done = (result: { line?: string; failure?: string }) => {
      clearTimeout(timer);
      resolve(result);
    };
    stdout.on('data', (chunk: string) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline !== -1) done({ line: text.slice(0, newline) });
    });
    child.once('error', (error) => done({ failure: `it could not be started: ${error.message}` }));
    child.once('exit', (code, signal) => done({ failure: `it exited (${signal ?? `code ${code}`}) before serving` }));
  });
  stdout.destroy();
  if (outcome.line === undefined) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    throw new Error(`${outcome.failure}; see ${options.logFile}`);
  }
  let ready;
  try {
    ready = readyLine(outcome.line);
  } catch {
    child.kill('SIGTERM');
    throw new Error(`it printed an unexpected first line; see ${options.logFile}`);
  }
  // The winner serves every client from now on and stops on its own once none is left; a loser exits at once
  // (Node reaps it while this bridge runs).
  child.unref();
  if (ready.alreadyRunning && !ready.shared) {
    return `the tray's MCP server (pid ${ready.pid}) serves now (the tray was taking over while this bridge looked for a server): relaying to it`;
  }
  if (ready.alreadyRunning) {
    return `another AI client's bridge started the shared MCP server (pid ${ready.pid}) at the same moment: relaying to it`;
  }
  return `started a shared MCP server (pid ${ready.pid}, log ${options.logFile}) that every AI client's bridge relays to`;
}

async function rotate(file: string): Promise<void> {
  const size = await stat(file).then(
    (info) => info.size,
    () => 0,
  );
  if (size > MAX_LOG_BYTES) await rename(file, `${file}.1`).catch(() => {});
}
