import { join } from 'node:path';
import { createFileClient, type ClientDeps } from './file-client.ts';
import { findExecutable, pathExists, windowsAppData, windowsLocalAppData, xdgConfigHome, type Host } from './host.ts';
import type { AiClient, ClientLocation } from './types.ts';

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

export function createVsCodeClient(deps: ClientDeps): AiClient {
  return createFileClient(
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
}
