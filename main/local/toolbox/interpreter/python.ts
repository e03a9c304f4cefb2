import { existsSync } from 'node:fs';

/** The system directories a sandbox sees (read-only, from the host), searched for python3 in this order. */
const SYSTEM_BIN_DIRS = ['/usr/local/bin', '/usr/bin', '/bin'];

export const NO_PYTHON =
  'No python3 interpreter is installed on this machine, and the code interpreter runs Python inside the sandbox: install python3 (e.g. apt install python3), or run other languages with process.codeRun().';

/** The python3 a local sandbox can run, or undefined when the host has none. */
export function sandboxPython(exists: (path: string) => boolean = existsSync): string | undefined {
  return SYSTEM_BIN_DIRS.map((dir) => `${dir}/python3`).find((path) => exists(path));
}

/** The same, short enough for a WebSocket close reason. */
export const NO_PYTHON_SHORT = 'python3 is not installed on this machine: install it to use the code interpreter';
