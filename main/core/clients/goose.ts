import { join } from 'node:path';
import { ENTRY_NAME } from './types.ts';
import type { EntryShape } from './entry.ts';
import { createFileClient, type ClientDeps } from './file-client.ts';
import { findExecutable, pathExists, usualBinDirs, windowsAppData, xdgConfigHome, type Host } from './host.ts';
import type { AiClient, ClientLocation } from './types.ts';
import { yamlFormat } from './yaml-format.ts';

/**
 * Goose (CLI and desktop) reads `extensions:` from config.yaml: ~/.config/goose on macOS and Linux,
 * %APPDATA%\Block\goose\config on Windows (block.github.io/goose/docs/guides/config-files).
 */
export function locateGoose(host: Host): ClientLocation {
  const dir = host.platform === 'win32' ? join(windowsAppData(host), 'Block', 'goose', 'config') : join(xdgConfigHome(host), 'goose');
  const markers = [dir];
  if (host.platform === 'darwin') markers.push('/Applications/Goose.app', join(host.home, 'Applications', 'Goose.app'));
  const installed = markers.some(pathExists) || findExecutable(host, 'goose', usualBinDirs(host)) !== undefined;
  return { configPath: join(dir, 'config.yaml'), installed, otherPaths: [] };
}

/** Goose's stdio extension: `cmd`, `args`, `envs`, and the fields it expects on every extension. */
export const GOOSE_SHAPE: EntryShape = {
  build: (launch) => ({
    name: ENTRY_NAME,
    type: 'stdio',
    cmd: launch.command,
    args: [...launch.args],
    envs: { ...launch.env },
    enabled: true,
    timeout: 300,
    description: 'Daytona sandboxes, through Daytona Tray',
  }),
  launchOf: (entry) => ({ command: entry.cmd, args: Array.isArray(entry.args) ? entry.args : [], env: entry.envs }),
  envKey: 'envs',
  // The user may switch the extension off or give it longer: an update keeps that.
  defaults: ['enabled', 'timeout', 'description'],
};

export function createGooseClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'goose',
      name: 'Goose',
      applyHint: 'Start a new Goose session (or restart Goose Desktop) to load the change.',
      serversKey: 'extensions',
      withType: false,
      strictJson: false,
      format: yamlFormat,
      shape: GOOSE_SHAPE,
      locate: locateGoose,
    },
    deps,
  );
}
