import { join } from 'node:path';
import { ENTRY_NAME } from './types.ts';
import type { EntryShape } from './entry.ts';
import { createFileClient, type ClientDeps } from './file-client.ts';
import { findExecutable, pathExists, usualBinDirs, type Host } from './host.ts';
import type { AiClient, ClientLocation } from './types.ts';
import { yamlFormat } from './yaml-format.ts';

/**
 * Continue (VS Code and JetBrains extension, `cn` CLI) reads ~/.continue/config.yaml on every OS; its
 * `mcpServers:` is a list of named servers (docs.continue.dev/reference).
 */
export function locateContinue(host: Host): ClientLocation {
  const dir = join(host.home, '.continue');
  const installed = pathExists(dir) || findExecutable(host, 'cn', usualBinDirs(host)) !== undefined;
  return { configPath: join(dir, 'config.yaml'), installed, otherPaths: [] };
}

export const CONTINUE_SHAPE: EntryShape = {
  build: (launch) => ({
    name: ENTRY_NAME,
    type: 'stdio',
    command: launch.command,
    args: [...launch.args],
    ...(Object.keys(launch.env).length > 0 ? { env: { ...launch.env } } : {}),
  }),
  launchOf: (entry) => ({ command: entry.command, args: Array.isArray(entry.args) ? entry.args : [], env: entry.env }),
  envKey: 'env',
};

export function createContinueClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'continue',
      name: 'Continue',
      applyHint: 'Continue reloads config.yaml by itself; if the server does not show, reload the editor window.',
      serversKey: 'mcpServers',
      withType: false,
      strictJson: false,
      format: yamlFormat,
      list: true,
      shape: CONTINUE_SHAPE,
      // Continue refuses a config.yaml without these (docs.continue.dev/reference#name, #version, #schema).
      seed: 'name: Local Assistant\nversion: 1.0.0\nschema: v1\n',
      locate: locateContinue,
    },
    deps,
  );
}
