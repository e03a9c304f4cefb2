import { join } from 'node:path';
import { createFileClient, type ClientDeps } from './file-client.ts';
import { envVar, findExecutable, pathExists, usualBinDirs, type Host } from './host.ts';
import type { AiClient, ClientLocation } from './types.ts';
import { tomlFormat } from './toml-format.ts';

/**
 * Codex CLI keeps its servers in $CODEX_HOME/config.toml (default ~/.codex, also under Windows), as
 * `[mcp_servers.<name>]` tables with command, args and env (developers.openai.com/codex/mcp).
 */
export function locateCodex(host: Host): ClientLocation {
  const dir = envVar(host, 'CODEX_HOME') ?? join(host.home, '.codex');
  const installed = pathExists(dir) || findExecutable(host, 'codex', usualBinDirs(host)) !== undefined;
  return { configPath: join(dir, 'config.toml'), installed, otherPaths: [] };
}

export function createCodexClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'codex',
      name: 'Codex CLI',
      applyHint: 'Start a new Codex session to load the change (check it with `codex mcp list`).',
      serversKey: 'mcp_servers',
      withType: false,
      strictJson: false,
      format: tomlFormat,
      locate: locateCodex,
    },
    deps,
  );
}
