import { join } from 'node:path';
import type { ProgramRunner } from './claude-code.ts';
import { envPairs, isStringList, withClientCli, type ClientCliSpec } from './client-cli.ts';
import { isInstalled } from './detect.ts';
import { createFileClient, type ClientDeps } from './file-client.ts';
import { findExecutable, usualBinDirs, type Host } from './host.ts';
import { ENTRY_NAME, type AiClient, type ClientLocation } from './types.ts';

/**
 * Gemini CLI reads `mcpServers` from ~/.gemini/settings.json on every OS
 * (github.com/google-gemini/gemini-cli, docs/tools/mcp-server.md); Qwen Code, its fork, from
 * ~/.qwen/settings.json (qwenlm.github.io/qwen-code-docs, MCP servers). Both accept comments.
 */
export function locateGeminiLike(host: Host, folder: '.gemini' | '.qwen', bin: string): ClientLocation {
  const dir = join(host.home, folder);
  return { configPath: join(dir, 'settings.json'), installed: isInstalled(host, { paths: [dir], bins: [bin] }), otherPaths: [] };
}

/**
 * `gemini mcp add -s user <name> <command> [args...] -e KEY=value` (and Qwen Code's `qwen mcp add`, the same
 * command in its fork). The `-e` options go last: before the name, yargs reads the name and command as more
 * env values. The home used for a trial run: GEMINI_CLI_HOME (Gemini CLI's own override), HOME and USERPROFILE.
 */
function geminiLikeCli(program: 'gemini' | 'qwen', folder: '.gemini' | '.qwen'): ClientCliSpec {
  return {
    program,
    serversKey: 'mcpServers',
    find: (host) => findExecutable(host, program, usualBinDirs(host)),
    addArgs(entry) {
      const env = envPairs(entry);
      if (env === null || typeof entry.command !== 'string' || !isStringList(entry.args)) return null;
      if (Object.keys(entry).some((key) => !['command', 'args', 'env'].includes(key))) return null;
      return ['mcp', 'add', '-s', 'user', ENTRY_NAME, entry.command, ...entry.args, ...env.flatMap((pair) => ['-e', pair])];
    },
    removeArgs: () => ['mcp', 'remove', '-s', 'user', ENTRY_NAME],
    trial: (home) => ({
      env: { GEMINI_CLI_HOME: home, HOME: home, USERPROFILE: home },
      configPath: join(home, folder, 'settings.json'),
    }),
  };
}

export function createGeminiClient(deps: ClientDeps & { run?: ProgramRunner }): AiClient {
  return withClientCli(createGeminiFileClient(deps), geminiLikeCli('gemini', '.gemini'), deps);
}

function createGeminiFileClient(deps: ClientDeps) {
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

export function createQwenClient(deps: ClientDeps & { run?: ProgramRunner }): AiClient {
  return withClientCli(createQwenFileClient(deps), geminiLikeCli('qwen', '.qwen'), deps);
}

function createQwenFileClient(deps: ClientDeps) {
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
