import { constants } from 'node:os';
// node-pty with prebuilt binaries for Linux, macOS and Windows (node-pty itself ships none for Linux, so it
// would need a C++ toolchain and Node's headers at install); same code and API, N-API so Electron loads it too.
import { spawn as spawnTerminal } from '@lydell/node-pty';
import { killPidTree } from './processes.ts';
import type { SandboxPty } from './types.ts';

export interface PtyProcessOptions {
  /** Host working directory of the started program. */
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]));

/**
 * Starts a host program on a new pseudo-terminal (node-pty: forkpty, so the program leads a session and a process
 * group of its own, with the terminal as its controlling terminal).
 */
export function startPtyProcess(file: string, args: string[], options: PtyProcessOptions): SandboxPty {
  const terminal = spawnTerminal(file, args, {
    name: options.env.TERM ?? 'xterm-256color',
    cols: options.cols,
    rows: options.rows,
    cwd: options.cwd,
    env: options.env,
    // Raw bytes: the provider relays them as they are (a decoder here would mangle a character split in two).
    encoding: null,
  });
  let exited = false;
  terminal.onExit(() => {
    exited = true;
  });
  return {
    pid: terminal.pid,
    onData(listener) {
      // With encoding null node-pty hands out Buffers (its typings say string).
      terminal.onData((data: string | Buffer) => listener(typeof data === 'string' ? Buffer.from(data) : data));
    },
    onExit(listener) {
      terminal.onExit(({ exitCode, signal }) => listener({ exitCode, signal: signal ? SIGNAL_NAMES.get(signal) : undefined }));
    },
    write(data) {
      if (!exited) terminal.write(data as string);
    },
    resize(cols, rows) {
      if (!exited) terminal.resize(cols, rows);
    },
    kill() {
      if (!exited) killPidTree(terminal.pid, 'SIGKILL');
    },
  };
}
