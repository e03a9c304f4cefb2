import { join } from 'node:path';
import { isInstalled } from './detect.ts';
import type { EntryShape } from './entry.ts';
import { createFileClient, type ClientDeps } from './file-client.ts';
import { pathExists, xdgConfigHome, type Host } from './host.ts';
import type { AiClient, ClientLocation } from './types.ts';

/**
 * OpenCode reads `mcp` from ~/.config/opencode/opencode.json (or .jsonc; $XDG_CONFIG_HOME, the same folder
 * under Windows) (opencode.ai/docs/config, opencode.ai/docs/mcp-servers).
 */
export function locateOpenCode(host: Host): ClientLocation {
  const dir = join(xdgConfigHome(host), 'opencode');
  const jsonc = join(dir, 'opencode.jsonc');
  const configPath = pathExists(jsonc) && !pathExists(join(dir, 'opencode.json')) ? jsonc : join(dir, 'opencode.json');
  return {
    configPath,
    installed: isInstalled(host, { paths: [dir], bins: ['opencode'], binDirs: [join(host.home, '.opencode', 'bin')] }),
    otherPaths: [],
  };
}

/** A local server: the command and its args in one array, env as `environment`. */
export const OPENCODE_SHAPE: EntryShape = {
  build: (launch) => ({
    type: 'local',
    command: [launch.command, ...launch.args],
    enabled: true,
    ...(Object.keys(launch.env).length > 0 ? { environment: { ...launch.env } } : {}),
  }),
  launchOf: (entry) => {
    const command = Array.isArray(entry.command) ? entry.command : [];
    return { command: command[0], args: command.slice(1), env: entry.environment };
  },
  envKey: 'environment',
  defaults: ['enabled'],
};

export function createOpenCodeClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'opencode',
      name: 'OpenCode',
      applyHint: 'Start OpenCode again to load the change (check it with `opencode mcp list`).',
      serversKey: 'mcp',
      withType: false,
      strictJson: false,
      shape: OPENCODE_SHAPE,
      locate: locateOpenCode,
    },
    deps,
  );
}
