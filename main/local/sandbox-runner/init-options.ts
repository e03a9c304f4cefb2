import type { SandboxCgroup } from './cgroups/index.ts';
import type { OwnNetworkTools } from './own-network.ts';
import type { NetworkPolicy } from './types.ts';

/** The network a sandbox starts with: its own (when `own` is given and the layout is 'nested'), or the host's. */
export interface InitNetwork {
  policy: NetworkPolicy;
  own?: { tools: OwnNetworkTools; relaySocket: string } | undefined;
}

export interface InitOptions {
  /** The Node binary inside the sandbox: with it, commands go through a resident agent (agent/); without, one nsenter each. */
  agentNode?: string | undefined;
  /** node-pty's folder inside the sandbox: with it (and the agent, and a devpts of the sandbox's own), terminals are made inside. */
  ptyModule?: string | undefined;
  log?: ((line: string) => void) | undefined;
  /** The hostname the init was started with. */
  hostname: string;
  /** Variables every command gets, under its own (SandboxSpec.env). */
  env?: Record<string, string> | undefined;
  /** Resolve only once the agent is ready too (a warm pool's sandbox: its first command must not wait). */
  waitForAgent?: boolean | undefined;
  /** hostname(1), to rename a sandbox after it started (adopt); without it adopt cannot change the hostname. */
  hostnameTool?: string | undefined;
  /** The sandbox's cgroup (made by the runner): every process started here joins it first; stop removes it. */
  cgroup?: SandboxCgroup | undefined;
}
