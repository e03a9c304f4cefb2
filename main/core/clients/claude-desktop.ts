import { join } from 'node:path';
import { createFileClient, type ClientDeps } from './file-client.ts';
import { findExecutable, pathExists, windowsAppData, windowsLocalAppData, xdgConfigHome, type Host } from './host.ts';
import type { AiClient, ClientLocation } from './types.ts';

const FILE = 'claude_desktop_config.json';
/** The MSIX package family of Claude for Windows (since Feb 2026); its %APPDATA% is virtualized under LocalCache. */
export const CLAUDE_MSIX_PACKAGE = 'Claude_pzs8sxrjxfjjc';

/**
 * Claude Desktop reads stdio entries only, from one file per OS. On Windows the MSIX build ignores
 * %APPDATA%\Claude (writes there are silently lost), so when its package folder exists we write the
 * package's virtualized copy, and the classic path is only cleaned on disconnect.
 */
export function locateClaudeDesktop(host: Host): ClientLocation {
  switch (host.platform) {
    case 'darwin': {
      const dir = join(host.home, 'Library', 'Application Support', 'Claude');
      const installed = [dir, '/Applications/Claude.app', join(host.home, 'Applications', 'Claude.app')].some(pathExists);
      return { configPath: join(dir, FILE), installed, otherPaths: [] };
    }
    case 'win32': {
      const local = windowsLocalAppData(host);
      const classicDir = join(windowsAppData(host), 'Claude');
      const msixPackage = join(local, 'Packages', CLAUDE_MSIX_PACKAGE);
      if (pathExists(msixPackage)) {
        return {
          configPath: join(msixPackage, 'LocalCache', 'Roaming', 'Claude', FILE),
          installed: true,
          otherPaths: [join(classicDir, FILE)],
          note: 'Claude Desktop is the Microsoft Store (MSIX) build, which reads its config from its package folder, not %APPDATA%\\Claude.',
        };
      }
      const installed = [classicDir, join(local, 'AnthropicClaude')].some(pathExists);
      return { configPath: join(classicDir, FILE), installed, otherPaths: [] };
    }
    default: {
      // No official Linux build yet; community builds (claude-desktop-debian) use ~/.config/Claude.
      const dir = join(xdgConfigHome(host), 'Claude');
      const installed = pathExists(dir) || findExecutable(host, 'claude-desktop') !== undefined;
      return { configPath: join(dir, FILE), installed, otherPaths: [] };
    }
  }
}

export function createClaudeDesktopClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'claude-desktop',
      name: 'Claude Desktop',
      applyHint: 'Quit Claude Desktop completely (also from the tray or menu bar) and open it again to load the change.',
      serversKey: 'mcpServers',
      withType: false,
      strictJson: true, // a comment, trailing comma or BOM makes it ignore the whole file
      locate: locateClaudeDesktop,
    },
    deps,
  );
}
