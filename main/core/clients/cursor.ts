import { join } from 'node:path';
import { createFileClient, type ClientDeps } from './file-client.ts';
import { findExecutable, pathExists, windowsAppData, windowsLocalAppData, xdgConfigHome, type Host } from './host.ts';
import type { AiClient, ClientLocation } from './types.ts';

/** Cursor reads ~/.cursor/mcp.json on every OS (on Windows %USERPROFILE%, not %APPDATA%). */
export function locateCursor(host: Host): ClientLocation {
  const dir = join(host.home, '.cursor');
  const markers = [dir];
  if (host.platform === 'darwin') markers.push('/Applications/Cursor.app', join(host.home, 'Applications', 'Cursor.app'));
  if (host.platform === 'win32') markers.push(join(windowsAppData(host), 'Cursor'), join(windowsLocalAppData(host), 'Programs', 'cursor'));
  if (host.platform === 'linux') markers.push(join(xdgConfigHome(host), 'Cursor'));
  const installed = markers.some(pathExists) || (host.platform === 'linux' && findExecutable(host, 'cursor') !== undefined);
  return { configPath: join(dir, 'mcp.json'), installed, otherPaths: [] };
}

export function createCursorClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'cursor',
      name: 'Cursor',
      applyHint: 'In Cursor, open Settings > MCP and refresh the server list (or restart Cursor).',
      serversKey: 'mcpServers',
      withType: false,
      strictJson: false,
      locate: locateCursor,
    },
    deps,
  );
}
