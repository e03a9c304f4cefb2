import { join } from 'node:path';
import type { EntryShape } from './entry.ts';
import { isInstalled } from './detect.ts';
import { createFileClient, type ClientDeps } from './file-client.ts';
import { windowsAppData, windowsLocalAppData, xdgConfigHome, type Host } from './host.ts';
import type { AiClient, ClientLocation } from './types.ts';

/**
 * Zed keeps MCP servers as `context_servers` in its settings.json (JSONC): ~/.config/zed on macOS and
 * Linux ($XDG_CONFIG_HOME), %APPDATA%\Zed on Windows (zed.dev/docs/ai/mcp, zed.dev/docs/configuring-zed).
 */
export function locateZed(host: Host): ClientLocation {
  const dir =
    host.platform === 'win32'
      ? join(windowsAppData(host), 'Zed')
      : join(host.platform === 'darwin' ? join(host.home, '.config') : xdgConfigHome(host), 'zed');
  const installed = isInstalled(host, {
    paths: [dir, ...(host.platform === 'win32' ? [join(windowsLocalAppData(host), 'Programs', 'Zed')] : [])],
    apps: ['Zed.app'],
    bins: ['zed', 'zeditor'],
  });
  return { configPath: join(dir, 'settings.json'), installed, otherPaths: [] };
}

/** Zed's custom (command-started) context server: `source: "custom"` tells it from an extension's. */
const ZED_SHAPE: EntryShape = {
  build: (launch) => ({
    source: 'custom',
    command: launch.command,
    args: [...launch.args],
    ...(Object.keys(launch.env).length > 0 ? { env: { ...launch.env } } : {}),
  }),
  launchOf: (entry) => ({ command: entry.command, args: Array.isArray(entry.args) ? entry.args : [], env: entry.env }),
  envKey: 'env',
};

export function createZedClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'zed',
      name: 'Zed',
      applyHint: 'Zed reloads its settings by itself; check the server in the Agent panel settings (Context Servers).',
      serversKey: 'context_servers',
      withType: false,
      strictJson: false, // settings.json is JSONC: comments are kept
      shape: ZED_SHAPE,
      locate: locateZed,
    },
    deps,
  );
}
