import { SANDBOX_HOME } from '../../sandbox-record.ts';
import type { SandboxDirs } from '../../sandbox-runner/types.ts';

/**
 * Paths as the language server sees them and as the caller does. Identical under bubblewrap; where sandboxes run as
 * plain processes, the sandbox's home and /tmp are host folders, so file:// URIs are translated both ways.
 */
export interface UriMapping {
  toServer(sandboxPath: string): string;
  fromServer(uri: string): string;
}

export function uriMapping(visiblePath: (sandboxPath: string, dirs: SandboxDirs) => string, dirs: SandboxDirs): UriMapping {
  const roots = [SANDBOX_HOME, '/tmp'].map((root) => [root, visiblePath(root, dirs)] as const);
  const swap = (path: string, from: 0 | 1) => {
    for (const root of roots) {
      const [source, target] = [root[from], root[1 - from]!];
      if (path === source || path.startsWith(`${source}/`)) return target + path.slice(source.length);
    }
    return path;
  };
  return {
    toServer: (sandboxPath) => swap(sandboxPath, 0),
    fromServer: (uri) => (uri.startsWith('file://') ? `file://${swap(decodeURIComponent(uri.slice('file://'.length)), 1)}` : uri),
  };
}
