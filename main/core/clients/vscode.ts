import { join } from 'node:path';
import type { ProgramRunner } from './claude-code.ts';
import { envPairs, isStringList, withClientCli, type ClientCliSpec } from './client-cli.ts';
import { createFileClient, type ClientDeps } from './file-client.ts';
import { findExecutable, pathExists, usualBinDirs, windowsAppData, windowsLocalAppData, xdgConfigHome, type Host } from './host.ts';
import { ENTRY_NAME, type AiClient, type ClientLocation } from './types.ts';

/** VS Code's user-profile mcp.json (JSONC; servers under `servers`, each with `type`). */
export function locateVsCode(host: Host): ClientLocation {
  let codeDir: string;
  const markers: string[] = [];
  switch (host.platform) {
    case 'darwin':
      codeDir = join(host.home, 'Library', 'Application Support', 'Code');
      markers.push('/Applications/Visual Studio Code.app', join(host.home, 'Applications', 'Visual Studio Code.app'));
      break;
    case 'win32':
      codeDir = join(windowsAppData(host), 'Code');
      markers.push(join(windowsLocalAppData(host), 'Programs', 'Microsoft VS Code'));
      break;
    default:
      codeDir = join(xdgConfigHome(host), 'Code');
  }
  const installed = [codeDir, ...markers].some(pathExists) || (host.platform === 'linux' && findExecutable(host, 'code') !== undefined);
  return { configPath: join(codeDir, 'User', 'mcp.json'), installed, otherPaths: [] };
}

/** What `--add-mcp` takes: one server's entry with its name beside it (McpManagementCli.validateConfiguration). */
export interface VsCodeMcpDefinition {
  name: string;
  type: 'stdio';
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** The options of VS Code's command line (src/vs/platform/environment/node/argv.ts) that setup passes. */
export interface VsCodeArgv {
  'add-mcp': VsCodeMcpDefinition[];
  /** Where the profile's User/mcp.json is (default: the user's, e.g. ~/.config/Code). */
  'user-data-dir'?: string;
  'extensions-dir'?: string;
}

export function vsCodeArgs(argv: VsCodeArgv): string[] {
  const args = argv['add-mcp'].flatMap((definition) => ['--add-mcp', JSON.stringify(definition)]);
  if (argv['user-data-dir'] !== undefined) args.push('--user-data-dir', argv['user-data-dir']);
  if (argv['extensions-dir'] !== undefined) args.push('--extensions-dir', argv['extensions-dir']);
  return args;
}

/**
 * `code --add-mcp <json>`: runs in VS Code's CLI process (Electron as Node, no window) and writes the default
 * profile's User/mcp.json under `--user-data-dir`, so a trial on a private copy is possible (docs/clients.md has
 * the source read). It rewrites the whole file (JSON.stringify with tabs: comments go, `"inputs": []` comes, a
 * `type` is added to servers without one), which the trial catches, and it has no remove: unsetup edits the file.
 * Not on Windows, where PATH holds `code.cmd`, which the runner cannot start without a shell, and a `code.exe`
 * found would be the app itself, which opens a window.
 */
const VSCODE_CLI: ClientCliSpec = {
  program: 'code',
  serversKey: 'servers',
  find: (host) =>
    host.platform === 'win32'
      ? undefined
      : findExecutable(host, 'code', [
          ...usualBinDirs(host),
          ...(host.platform === 'darwin' ? ['/Applications/Visual Studio Code.app/Contents/Resources/app/bin'] : []),
        ]),
  addArgs(entry) {
    const env = envPairs(entry);
    if (env === null || entry.type !== 'stdio' || typeof entry.command !== 'string' || !isStringList(entry.args)) return null;
    if (Object.keys(entry).some((key) => !['type', 'command', 'args', 'env'].includes(key))) return null;
    const definition: VsCodeMcpDefinition = { name: ENTRY_NAME, type: 'stdio', command: entry.command, args: entry.args };
    if (entry.env !== undefined) definition.env = entry.env as Record<string, string>;
    return vsCodeArgs({ 'add-mcp': [definition] });
  },
  trial: (home) => ({
    env: {},
    args: vsCodeArgs({ 'add-mcp': [], 'user-data-dir': join(home, 'user-data'), 'extensions-dir': join(home, 'extensions') }),
    configPath: join(home, 'user-data', 'User', 'mcp.json'),
  }),
  emptyAdditions: { inputs: [] },
};

export function createVsCodeClient(deps: ClientDeps & { run?: ProgramRunner }): AiClient {
  const viaFile = createFileClient(
    {
      id: 'vscode',
      name: 'VS Code',
      applyHint: 'In VS Code, run "MCP: List Servers" (or reload the window) to load the change.',
      serversKey: 'servers',
      withType: true,
      strictJson: false, // mcp.json is JSONC: comments are kept
      locate: locateVsCode,
    },
    deps,
  );
  return withClientCli(viaFile, VSCODE_CLI, deps);
}
