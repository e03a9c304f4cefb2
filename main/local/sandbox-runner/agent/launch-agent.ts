import type { ChildProcess, StdioOptions } from 'node:child_process';
import type { StdioMode } from './agent-child.ts';
import { spareShellBootstrap } from './spare-shell.ts';
import { AGENT_NAME, AGENT_SOURCE, SandboxAgent, type AgentHost } from './sandbox-agent.ts';

export interface ResidentAgentOptions extends Omit<AgentHost, 'launch'> {
  /** The Node binary as the sandbox sees it. */
  nodePath: string;
  /** Starts a process inside the sandbox's namespaces, as the sandbox user, in `/`. */
  spawnInside(argv: string[], env: Record<string, string>, stdio: StdioOptions): ChildProcess;
}

/** A sandbox's resident agent, started (in the background) at once. */
export function residentAgent(options: ResidentAgentOptions): SandboxAgent {
  const agent = new SandboxAgent({
    ...options,
    launch: () => {
      // The program comes on stdin (`node -`), so `ps` in the sandbox shows a name, not its source. Fd 3 is
      // the agent's socket: a socket pair (libuv makes one for every 'pipe'), which has no path. Fd 4 is what its
      // spare shells read at their start (spare-shell.ts).
      const child = options.spawnInside(
        [options.nodePath, '-', AGENT_NAME],
        process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {},
        ['pipe', 'ignore', 'pipe', 'pipe', spareShellBootstrap() ?? 'ignore'],
      );
      child.stdin?.on('error', () => {});
      child.stdin?.end(AGENT_SOURCE);
      return child;
    },
  });
  agent.start();
  return agent;
}

/** A command's stdio as the agent takes it: each stream piped or not ('inherit' has no meaning inside a sandbox). */
export function stdioModes(stdio: StdioOptions | undefined): [StdioMode, StdioMode, StdioMode] {
  const given = stdio ?? ['ignore', 'pipe', 'pipe'];
  const modes = typeof given === 'string' ? [given, given, given] : given;
  return [0, 1, 2].map((index) => (modes[index] === 'pipe' || modes[index] === 'overlapped' ? 'pipe' : 'ignore')) as [
    StdioMode,
    StdioMode,
    StdioMode,
  ];
}

const agents = new WeakMap<object, SandboxAgent>();

/** Remembers which agent serves `sandbox` (for agentOf). */
export function registerAgent(sandbox: object, agent: SandboxAgent): void {
  agents.set(sandbox, agent);
}

/** The resident agent of a started sandbox (tests: its connection lost, its pid). */
export function agentOf(sandbox: object): SandboxAgent | undefined {
  return agents.get(sandbox);
}
