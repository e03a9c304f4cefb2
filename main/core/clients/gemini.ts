import { join } from 'node:path';
import { isInstalled } from './detect.ts';
import { createFileClient, type ClientDeps } from './file-client.ts';
import type { Host } from './host.ts';
import type { AiClient, ClientLocation } from './types.ts';

/**
 * Gemini CLI reads `mcpServers` from ~/.gemini/settings.json on every OS
 * (github.com/google-gemini/gemini-cli, docs/tools/mcp-server.md); Qwen Code, its fork, from
 * ~/.qwen/settings.json (qwenlm.github.io/qwen-code-docs, MCP servers). Both accept comments.
 */
export function locateGeminiLike(host: Host, folder: '.gemini' | '.qwen', bin: string): ClientLocation {
  const dir = join(host.home, folder);
  return { configPath: join(dir, 'settings.json'), installed: isInstalled(host, { paths: [dir], bins: [bin] }), otherPaths: [] };
}

export function createGeminiClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'gemini',
      name: 'Gemini CLI',
      applyHint: 'Start a new Gemini CLI session to load the change (check it with `gemini mcp list` or /mcp).',
      serversKey: 'mcpServers',
      withType: false,
      strictJson: false,
      locate: (host) => locateGeminiLike(host, '.gemini', 'gemini'),
    },
    deps,
  );
}

export function createQwenClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'qwen',
      name: 'Qwen Code',
      applyHint: 'Start a new Qwen Code session to load the change (check it with `qwen mcp list` or /mcp).',
      serversKey: 'mcpServers',
      withType: false,
      strictJson: false,
      locate: (host) => locateGeminiLike(host, '.qwen', 'qwen'),
    },
    deps,
  );
}
