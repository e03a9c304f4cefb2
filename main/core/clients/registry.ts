import { createClaudeCodeClient, type ProgramRunner } from './claude-code.ts';
import { createClaudeDesktopClient } from './claude-desktop.ts';
import { createClineClient } from './cline.ts';
import { createCopilotCliClient } from './copilot-cli.ts';
import { createGeminiClient, createQwenClient } from './gemini.ts';
import { createJetBrainsClient } from './jetbrains.ts';
import { createOpenCodeClient } from './opencode.ts';
import { createAmazonQClient, createCrushClient, createKiroClient, createLmStudioClient } from './small-json-clients.ts';
import { createZedClient } from './zed.ts';
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
    zed: createZedClient(deps),
    cline: createClineClient(deps, 'Code'),
    'cline-cursor': createClineClient(deps, 'Cursor'),
    gemini: createGeminiClient(deps),
    qwen: createQwenClient(deps),
    opencode: createOpenCodeClient(deps),
    'copilot-cli': createCopilotCliClient(deps),
    kiro: createKiroClient(deps),
    'lm-studio': createLmStudioClient(deps),
    'amazon-q': createAmazonQClient(deps),
    crush: createCrushClient(deps),
    jetbrains: createJetBrainsClient(deps),
  };
}

/** The clients a `<client|all>` argument names: one, or all of them in order. */
export function selectClients(clients: Record<ClientId, AiClient>, which: ClientId | 'all'): AiClient[] {
  return which === 'all' ? CLIENT_IDS.map((id) => clients[id]) : [clients[which]];
}
