import { join } from 'node:path';
import { isInstalled } from './detect.ts';
import type { ClientDeps } from './file-client.ts';
import { windowsAppData, xdgConfigHome, type Host } from './host.ts';
import { groupsOf, normalizePreset, withTools } from './tool-presets.ts';
import { ENTRY_NAME, type AiClient, type ChangeOptions, type ChangeResult, type ClientLocation, type ClientStatus } from './types.ts';

/** Where the user pastes it (jetbrains.com/help/ai-assistant/mcp.html): there is no file we could edit. */
export const JETBRAINS_SETTINGS = 'Settings | Tools | AI Assistant | Model Context Protocol (MCP)';

/** JetBrains IDEs keep their settings under one JetBrains folder per OS; its presence means an IDE ran here. */
export function locateJetBrains(host: Host): ClientLocation {
  const dir =
    host.platform === 'darwin'
      ? join(host.home, 'Library', 'Application Support', 'JetBrains')
      : host.platform === 'win32'
        ? join(windowsAppData(host), 'JetBrains')
        : join(xdgConfigHome(host), 'JetBrains');
  const installed = isInstalled(host, { paths: [dir], bins: ['idea', 'pycharm', 'webstorm', 'goland', 'rider', 'clion'] });
  return { configPath: JETBRAINS_SETTINGS, installed, otherPaths: [] };
}

/**
 * JetBrains AI Assistant stores its MCP servers in the IDE's own settings, with no documented file, so
 * "connect" hands over the JSON to paste (Add > As JSON): the CLI prints it, the window copies it to the
 * clipboard (result.clipboard). We cannot see whether it was pasted: status says absent.
 */
export function createJetBrainsClient(deps: ClientDeps): AiClient {
  const { host } = deps;
  const json = (options: ChangeOptions) => {
    const launch = withTools(deps.launch, normalizePreset(options.tools), undefined);
    const entry = { command: launch.command, args: launch.args, ...(Object.keys(launch.env).length > 0 ? { env: launch.env } : {}) };
    return JSON.stringify({ mcpServers: { [ENTRY_NAME]: entry } }, null, 2);
  };
  const applyHint = `In your JetBrains IDE, open ${JETBRAINS_SETTINGS}, click Add, choose "As JSON" and paste.`;
  const result = (action: ChangeResult['action'], options: ChangeOptions): ChangeResult => ({
    id: 'jetbrains',
    name: 'JetBrains AI Assistant',
    action,
    dryRun: options.dryRun ?? false,
    file: JETBRAINS_SETTINGS,
    via: 'clipboard',
    notes: [],
  });
  return {
    id: 'jetbrains',
    name: 'JetBrains AI Assistant',
    applyHint,
    locate: () => locateJetBrains(host),
    async status(): Promise<ClientStatus> {
      const location = locateJetBrains(host);
      return {
        id: 'jetbrains',
        name: 'JetBrains AI Assistant',
        installed: location.installed,
        configPath: location.configPath,
        entry: 'absent',
        current: false,
        commandExists: null,
        connected: false,
        tools: groupsOf(undefined),
      };
    },
    async connect(options: ChangeOptions = {}) {
      return { ...result('connected', options), clipboard: json(options), notes: [applyHint] };
    },
    async disconnect(options: ChangeOptions = {}) {
      return {
        ...result('absent', options),
        notes: [`Remove the "${ENTRY_NAME}" server in ${JETBRAINS_SETTINGS}: there is no file Daytona Tray could edit.`],
      };
    },
  };
}
