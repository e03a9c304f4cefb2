import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ClientSetupError, type ClientId, type ClientLocation } from './types.ts';

/**
 * Clients that also read an MCP config inside a project folder (`setup <client> --project DIR`), where it
 * is, and what the user does next. The entry is the same as at user level, written with the same rules.
 */
export interface ProjectScope {
  /** The file, relative to the project folder. */
  path: string[];
  /** Where the client documents it. */
  source: string;
  /** What the client asks of the user before it uses a project's server, if anything. */
  hint?: string;
}

export const PROJECT_SCOPES: Partial<Record<ClientId, ProjectScope>> = {
  'claude-code': {
    path: ['.mcp.json'],
    source: 'https://code.claude.com/docs/en/mcp#project-scope',
    hint: 'Claude Code asks once whether to trust the servers in .mcp.json: approve "daytona" when it does.',
  },
  cursor: { path: ['.cursor', 'mcp.json'], source: 'https://docs.cursor.com/context/model-context-protocol' },
  vscode: { path: ['.vscode', 'mcp.json'], source: 'https://code.visualstudio.com/docs/copilot/chat/mcp-servers' },
  gemini: {
    path: ['.gemini', 'settings.json'],
    source: 'https://github.com/google-gemini/gemini-cli/blob/main/docs/tools/mcp-server.md',
    hint: "Gemini CLI reads a project's settings only in a folder you trust (it asks, or see /permissions).",
  },
  qwen: { path: ['.qwen', 'settings.json'], source: 'https://qwenlm.github.io/qwen-code-docs/en/users/features/mcp/' },
  opencode: { path: ['opencode.json'], source: 'https://opencode.ai/docs/config/' },
  kiro: { path: ['.kiro', 'settings', 'mcp.json'], source: 'https://kiro.dev/docs/mcp/configuration/' },
};

/** Checks `--project DIR` (an existing folder, absolute after resolving); throws a message that says what to do. */
export function checkProjectDir(dir: string): void {
  if (!isAbsolute(dir)) throw new ClientSetupError('NO_PARENT', `The project folder must be an absolute path (got '${dir}').`);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // missing: said below
  }
  if (!isDir) {
    throw new ClientSetupError('NO_PARENT', `${dir} is not a folder: --project names your project's folder (it must exist).`, dir);
  }
}

/** Where a client's project config is in `dir`; a client without one is refused with what to do instead. */
export function locateInProject(id: ClientId, name: string, dir: string): ClientLocation {
  const scope = PROJECT_SCOPES[id];
  if (!scope) {
    const which = Object.keys(PROJECT_SCOPES).join(', ');
    throw new ClientSetupError(
      'NO_PROJECT_SCOPE',
      `${name} has no project-level MCP config; run setup without --project to connect it for your user. Clients with one: ${which}.`,
    );
  }
  checkProjectDir(dir);
  return {
    configPath: join(dir, ...scope.path),
    installed: true,
    otherPaths: [],
    note: `${scope.hint ? `${scope.hint} ` : ''}Project scope: ${dir}. The entry names programs on this computer by absolute path, so keep it out of version control (each teammate runs setup --project).`,
  };
}
