import { createClaudeCodeClient, type ProgramRunner } from './claude-code.ts';
import { createClaudeDesktopClient } from './claude-desktop.ts';
import { createCodexClient } from './codex.ts';
import { createContinueClient } from './continue.ts';
import { createCursorClient } from './cursor.ts';
import type { ClientDeps } from './file-client.ts';
import { createGooseClient } from './goose.ts';
import { createVsCodeClient } from './vscode.ts';
import { createWindsurfClient } from './windsurf.ts';
import { CLIENT_IDS, type AiClient, type ClientId } from './types.ts';

export interface ClientRegistryDeps extends ClientDeps {
  /** How Claude Code's `claude` CLI is run (default: execFile with a timeout). */
  run?: ProgramRunner;
}

/** Every supported AI client, in the order the CLI and the window list them. */
export function createClients(deps: ClientRegistryDeps): Record<ClientId, AiClient> {
  return {
    'claude-desktop': createClaudeDesktopClient(deps),
    'claude-code': createClaudeCodeClient(deps),
    cursor: createCursorClient(deps),
    windsurf: createWindsurfClient(deps),
    vscode: createVsCodeClient(deps),
    codex: createCodexClient(deps),
    goose: createGooseClient(deps),
    continue: createContinueClient(deps),
  };
}

/** The clients a `<client|all>` argument names: one, or all of them in order. */
export function selectClients(clients: Record<ClientId, AiClient>, which: ClientId | 'all'): AiClient[] {
  return which === 'all' ? CLIENT_IDS.map((id) => clients[id]) : [clients[which]];
}
