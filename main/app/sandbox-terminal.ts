import type { BridgeLaunch } from '../core/clients/bridge-launch.ts';
import { TerminalError, type TerminalCommand } from '../core/terminal/terminal-launch.ts';
import type { TerminalOpener } from '../core/terminal/open-terminal.ts';

export interface SandboxTerminalDeps {
  /** The active profile's kind, and for the local provider its address and key (from the supervisor). */
  target():
    | { kind: 'local'; endpoint: { apiUrl: string; apiKey: string } | undefined }
    | { kind: 'cloud'; sshCommand(id: string): Promise<string[]> }
    | undefined;
  /** How this install runs its own CLI (the bridge's launch: the binary, out/main/cli.js, its env), without the command. */
  cli: BridgeLaunch;
  opener: TerminalOpener;
}

/**
 * "Open terminal" on a sandbox row. The local provider: the OS terminal runs `daytona-tray shell <id>`, which reaches
 * the provider through DAYTONA_API_URL/KEY in its environment (never argv). Daytona Cloud: the terminal runs the ssh
 * command of fresh SSH access (its token is handed to the terminal, never stored or logged).
 */
export async function openSandboxTerminal(
  deps: SandboxTerminalDeps,
  id: string,
  name: string,
): Promise<{ emulator: string; via: 'shell' | 'ssh' }> {
  const target = deps.target();
  if (!target) throw new TerminalError('No usable profile is active: add your API key or choose the local provider first.');
  const title = `Daytona sandbox ${name}`;
  let command: TerminalCommand;
  if (target.kind === 'local') {
    if (!target.endpoint) throw new TerminalError('The local provider is not running yet: wait until it is ready, then try again.');
    command = {
      argv: [deps.cli.command, ...shellArgs(deps.cli.args), 'shell', id],
      env: { ...deps.cli.env, DAYTONA_API_URL: target.endpoint.apiUrl, DAYTONA_API_KEY: target.endpoint.apiKey },
      title,
    };
  } else {
    command = { argv: await target.sshCommand(id), env: {}, title };
  }
  const { emulator } = await deps.opener.open(command);
  return { emulator, via: target.kind === 'local' ? 'shell' : 'ssh' };
}

/** The bridge's args name the CLI script, then `bridge`: the same script runs `shell`. */
function shellArgs(bridgeArgs: string[]): string[] {
  return bridgeArgs.at(-1) === 'bridge' ? bridgeArgs.slice(0, -1) : bridgeArgs;
}
