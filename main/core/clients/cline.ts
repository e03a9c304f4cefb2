import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createFileClient, type ClientDeps } from './file-client.ts';
import { pathExists, windowsAppData, xdgConfigHome, type Host } from './host.ts';
import type { AiClient, ClientLocation } from './types.ts';

const EXTENSION = 'saoudrizwan.claude-dev';

/** The editor's user-data folder (`Code` or `Cursor`) under this OS's rules. */
function editorUserDir(host: Host, editor: 'Code' | 'Cursor'): string {
  if (host.platform === 'darwin') return join(host.home, 'Library', 'Application Support', editor, 'User');
  if (host.platform === 'win32') return join(windowsAppData(host), editor, 'User');
  return join(xdgConfigHome(host), editor, 'User');
}

/**
 * Cline (a VS Code extension, also installed in Cursor) reads cline_mcp_settings.json from the extension's
 * global storage in that editor's user folder (docs.cline.bot/mcp/configuring-mcp-servers). Installed when
 * the extension is in the editor's extensions folder or has made its storage.
 */
export function locateCline(host: Host, editor: 'Code' | 'Cursor'): ClientLocation {
  const storage = join(editorUserDir(host, editor), 'globalStorage', EXTENSION);
  const extensions = join(host.home, editor === 'Code' ? '.vscode' : '.cursor', 'extensions');
  let extension: boolean;
  try {
    extension = readdirSync(extensions).some((name) => name.toLowerCase().startsWith(`${EXTENSION}-`));
  } catch {
    extension = false; // no extensions folder: that editor never ran
  }
  return { configPath: join(storage, 'settings', 'cline_mcp_settings.json'), installed: extension || pathExists(storage), otherPaths: [] };
}

export function createClineClient(deps: ClientDeps, editor: 'Code' | 'Cursor'): AiClient {
  return createFileClient(
    {
      id: editor === 'Code' ? 'cline' : 'cline-cursor',
      name: editor === 'Code' ? 'Cline (VS Code)' : 'Cline (Cursor)',
      applyHint: 'Cline watches its MCP settings file; open its MCP Servers view to see the server (or reload the window).',
      serversKey: 'mcpServers',
      withType: false,
      strictJson: true, // read with JSON.parse
      locate: (host) => locateCline(host, editor),
    },
    deps,
  );
}
