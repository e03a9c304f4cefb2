import type { SupervisorState, SupervisorStatus } from './process-supervisor.ts';
import type { ServerConfig } from './server-config.ts';

/** The server as the tray shows it: one state for both children, and each child's own status. */
export interface McpServerStatus {
  state: SupervisorState;
  /** Why it is restarting or failed (which child, its exit code or signal, its last output). */
  reason?: string;
  retryAt?: number;
  profile?: { name: string; kind: 'cloud' | 'local' };
  /** Why the active profile cannot be used; the server runs anyway and its tools say the same. */
  profileProblem?: string;
  url?: string;
  port?: number;
  pid?: number;
  server: SupervisorStatus;
  /** Present while the local profile is active. */
  localProvider?: SupervisorStatus;
}

export interface StatusParts {
  started: boolean;
  config: ServerConfig | undefined;
  server: SupervisorStatus;
  /** The local provider's status, when the local profile is active or the provider still runs. */
  provider: SupervisorStatus | undefined;
  /** The server child that is ready now. */
  running: { url: string; port: number } | undefined;
}

/** One state for both children: the worse of the two, with its reason and retry time. */
export function combineStatus({ started, config, server, provider, running }: StatusParts): McpServerStatus {
  const profile = config?.profile;
  // The server waits for the provider: until then it is "starting", not "stopped".
  const serverState: SupervisorState = started && server.state === 'stopped' ? 'starting' : server.state;
  const parts: { state: SupervisorState; reason?: string; retryAt?: number }[] = [{ ...server, state: serverState }];
  if (provider) parts.unshift(provider);
  const rank: SupervisorState[] = ['failed', 'restarting', 'starting', 'running', 'stopped'];
  const worst = parts.reduce((a, b) => (rank.indexOf(b.state) < rank.indexOf(a.state) ? b : a));
  return {
    state: started ? worst.state : 'stopped',
    ...(started && worst.reason && (worst.state === 'failed' || worst.state === 'restarting') ? { reason: worst.reason } : {}),
    ...(started && worst.retryAt !== undefined && (worst.state === 'failed' || worst.state === 'restarting')
      ? { retryAt: worst.retryAt }
      : {}),
    ...(profile ? { profile: { name: profile.name, kind: profile.kind } } : {}),
    ...(config?.profileProblem ? { profileProblem: config.profileProblem } : {}),
    ...(running ? { url: running.url, port: running.port } : {}),
    ...(server.pid !== undefined && (server.state === 'running' || server.state === 'starting') ? { pid: server.pid } : {}),
    server,
    ...(provider ? { localProvider: provider } : {}),
  };
}

/** Why the server restarts, in a sentence for its log. */
export function whatChanged(previous: ServerConfig | undefined, next: ServerConfig): string {
  const before = previous?.profile;
  const after = next.profile;
  if (before?.name !== after?.name) return after ? `the active profile is now '${after.name}'` : 'the active profile can no longer be used';
  if (before?.kind === 'cloud' && after?.kind === 'cloud' && before.apiKey !== after.apiKey)
    return `the API key of profile '${after.name}' changed`;
  if (JSON.stringify(before) !== JSON.stringify(after)) return `profile '${after?.name}' changed`;
  return 'the MCP server settings changed';
}
