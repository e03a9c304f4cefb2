import { join } from 'node:path';
import { isInstalled } from './detect.ts';
import type { EntryShape } from './entry.ts';
import { createFileClient, type ClientDeps } from './file-client.ts';
import type { Host } from './host.ts';
import type { AiClient, ClientLocation } from './types.ts';

/** GitHub Copilot CLI reads ~/.copilot/mcp-config.json (docs.github.com, "Using GitHub Copilot CLI", MCP servers). */
export function locateCopilotCli(host: Host): ClientLocation {
  const dir = join(host.home, '.copilot');
  return { configPath: join(dir, 'mcp-config.json'), installed: isInstalled(host, { paths: [dir], bins: ['copilot'] }), otherPaths: [] };
}

/** A local server with every tool switched on (`tools: ["*"]`; without it Copilot CLI offers none). */
const COPILOT_SHAPE: EntryShape = {
  build: (launch) => ({
    type: 'local',
    command: launch.command,
    args: [...launch.args],
    ...(Object.keys(launch.env).length > 0 ? { env: { ...launch.env } } : {}),
    tools: ['*'],
  }),
  launchOf: (entry) => ({ command: entry.command, args: Array.isArray(entry.args) ? entry.args : [], env: entry.env }),
  envKey: 'env',
  defaults: ['tools'], // the user may allow only some tools
};

export function createCopilotCliClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'copilot-cli',
      name: 'GitHub Copilot CLI',
      applyHint: 'Start a new Copilot CLI session to load the change (check it with /mcp).',
      serversKey: 'mcpServers',
      withType: false,
      strictJson: true,
      shape: COPILOT_SHAPE,
      locate: locateCopilotCli,
    },
    deps,
  );
}
