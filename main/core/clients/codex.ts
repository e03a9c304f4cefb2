import { join } from 'node:path';
import type { ProgramRunner } from './claude-code.ts';
import { envPairs, withClientCli, type ClientCliSpec } from './client-cli.ts';
import { createFileClient, type ClientDeps } from './file-client.ts';
import { envVar, findExecutable, pathExists, usualBinDirs, type Host } from './host.ts';
import { ENTRY_NAME, type AiClient, type ClientLocation } from './types.ts';
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

/** `codex mcp add [--env KEY=value] <name> -- <command> [args...]`; a trial run points CODEX_HOME at a copy. */
const CODEX_CLI: ClientCliSpec = {
  program: 'codex',
  serversKey: 'mcp_servers',
  find: (host) => findExecutable(host, 'codex', usualBinDirs(host)),
  addArgs(entry) {
    const env = envPairs(entry);
    const args = entry.args;
    if (env === null || typeof entry.command !== 'string' || !Array.isArray(args) || !args.every((a) => typeof a === 'string')) return null;
    if (Object.keys(entry).some((key) => !['command', 'args', 'env'].includes(key))) return null;
    return ['mcp', 'add', ...env.flatMap((pair) => ['--env', pair]), ENTRY_NAME, '--', entry.command, ...(args as string[])];
  },
  removeArgs: () => ['mcp', 'remove', ENTRY_NAME],
  trial: (home) => ({ env: { CODEX_HOME: home }, configPath: join(home, 'config.toml') }),
};

export function createCodexClient(deps: ClientDeps & { run?: ProgramRunner }): AiClient {
  return withClientCli(
    createFileClient(
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
    ),
    CODEX_CLI,
    deps,
  );
}
