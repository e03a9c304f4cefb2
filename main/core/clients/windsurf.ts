import { join } from 'node:path';
import { createFileClient, type ClientDeps } from './file-client.ts';
import { findExecutable, pathExists, windowsAppData, windowsLocalAppData, xdgConfigHome, type Host } from './host.ts';
import type { AiClient, ClientLocation } from './types.ts';

/** Windsurf reads ~/.codeium/windsurf/mcp_config.json on every OS (on Windows under %USERPROFILE%). */
export function locateWindsurf(host: Host): ClientLocation {
  const dir = join(host.home, '.codeium', 'windsurf');
  const markers = [dir];
  if (host.platform === 'darwin') markers.push('/Applications/Windsurf.app', join(host.home, 'Applications', 'Windsurf.app'));
  if (host.platform === 'win32')
    markers.push(join(windowsAppData(host), 'Windsurf'), join(windowsLocalAppData(host), 'Programs', 'Windsurf'));
  if (host.platform === 'linux') markers.push(join(xdgConfigHome(host), 'Windsurf'));
  const installed = markers.some(pathExists) || (host.platform === 'linux' && findExecutable(host, 'windsurf') !== undefined);
  return { configPath: join(dir, 'mcp_config.json'), installed, otherPaths: [] };
}

export function createWindsurfClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'windsurf',
      name: 'Windsurf',
      applyHint: 'In Windsurf, press Refresh in the MCP panel (Cascade > MCP servers).',
      serversKey: 'mcpServers',
      withType: false,
      strictJson: false,
      locate: locateWindsurf,
    },
    deps,
  );
}
