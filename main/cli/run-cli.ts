import { createRequire } from 'node:module';

/** One entry per `daytona-tray <command>`; each module is loaded only when its command runs (fast start). */
interface Command {
  summary: string;
  load(): Promise<{ run(argv: string[]): Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
  app: {
    summary: 'run the app: the desktop tray where Electron can run, else a web page on 127.0.0.1 (--web)',
    load: () => import('./app-command.ts'),
  },
  local: { summary: 'run the embedded Daytona-compatible provider on 127.0.0.1', load: () => import('./local-command.ts') },
  mcp: { summary: 'serve the Daytona MCP server (stdio, or --http on 127.0.0.1)', load: () => import('./mcp-command.ts') },
  bridge: { summary: 'stdio MCP endpoint for AI clients; relays to the running server', load: loadBridge },
  setup: {
    summary: 'connect an AI client (claude-desktop, claude-code, cursor, windsurf, vscode, all)',
    load: () => import('./setup-command.ts'),
  },
  unsetup: { summary: 'disconnect an AI client', load: () => import('./unsetup-command.ts') },
  clients: { summary: 'list AI clients and whether they are connected', load: () => import('./clients-command.ts') },
  status: {
    summary: 'show the active profile, whether the MCP server runs, and the AI clients',
    load: () => import('./status-command.ts'),
  },
  login: { summary: 'store a Daytona API key in the OS keychain', load: () => import('./login-command.ts') },
  logout: { summary: 'remove a stored API key', load: () => import('./logout-command.ts') },
  logs: { summary: "print the app's log (--follow: as it is written)", load: () => import('./logs-command.ts') },
  shell: {
    summary: "open a terminal in a sandbox (an interactive shell through the SDK's PTY; exits with the shell's code)",
    load: () => import('./shell-command.ts'),
  },
  watch: {
    summary: 'print sandbox changes and alerts as they happen (--json: one JSON line each)',
    load: () => import('./watch-command.ts'),
  },
};

/**
 * Every AI client session spawns a bridge, so it starts from one bundled CommonJS file (vite.bridge.config.ts,
 * built by `npm run build`) rather than the two dozen ES modules tsc emits for it, loaded with require: import()
 * of a CommonJS file first scans its source for export names (cjs-module-lexer), on every start. A
 * tsc-only build has no bundle: then the same code runs from tsc's output.
 */
async function loadBridge(): Promise<{ run(argv: string[]): Promise<number> }> {
  const require = createRequire(import.meta.url);
  let bundle: string;
  try {
    bundle = require.resolve('../mcp/bridge/bridge.bundle.cjs');
  } catch {
    return import('./bridge-command.ts');
  }
  return require(bundle) as { run(argv: string[]): Promise<number> };
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return `Usage: daytona-tray <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'daytona-tray <command> --help' for a command's options; 'daytona-tray --version' prints the version.`;
}

/**
 * A closed stdout (`daytona-tray watch --json | head -1`) ends any command quietly: one that handles SIGTERM
 * gets it (so it stops what it started), the others exit at once. Never a stack trace for EPIPE.
 */
export function endQuietlyWhenStdoutCloses(stdout: NodeJS.WriteStream = process.stdout): void {
  let ending = false;
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    if (ending) return;
    ending = true;
    if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM');
    else process.exit(process.exitCode ?? 0);
  });
}

/** Dispatches `daytona-tray <command>`; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  endQuietlyWhenStdoutCloses();
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    const { packageVersion } = await import('./package-version.ts');
    process.stdout.write(`daytona-tray ${packageVersion()}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`daytona-tray: unknown command '${name}'.\n\n${usage()}\n`);
    return 2;
  }
  return (await command.load()).run(rest);
}
