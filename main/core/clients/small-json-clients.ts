import { join } from 'node:path';
import { isInstalled } from './detect.ts';
import { createFileClient, type ClientDeps } from './file-client.ts';
import { windowsLocalAppData, xdgConfigHome, type Host } from './host.ts';
import type { AiClient, ClientLocation } from './types.ts';

/**
 * Clients whose user config is one JSON file in a fixed folder with `{command, args, env}` entries:
 * only where the file is, how the client is detected and what to do after a change differ.
 */

/** Kiro: ~/.kiro/settings/mcp.json on every OS (kiro.dev/docs/mcp/configuration). */
export function locateKiro(host: Host): ClientLocation {
  const dir = join(host.home, '.kiro');
  const installed = isInstalled(host, {
    paths: [dir, ...(host.platform === 'win32' ? [join(windowsLocalAppData(host), 'Programs', 'Kiro')] : [])],
    apps: ['Kiro.app'],
    bins: ['kiro'],
  });
  return { configPath: join(dir, 'settings', 'mcp.json'), installed, otherPaths: [] };
}

/** LM Studio: ~/.lmstudio/mcp.json (lmstudio.ai/docs/app/mcp); its `lms` CLI lives in ~/.lmstudio/bin. */
export function locateLmStudio(host: Host): ClientLocation {
  const dir = join(host.home, '.lmstudio');
  const installed = isInstalled(host, { paths: [dir], apps: ['LM Studio.app'], bins: ['lms'], binDirs: [join(dir, 'bin')] });
  return { configPath: join(dir, 'mcp.json'), installed, otherPaths: [] };
}

/** Amazon Q Developer (CLI and IDE plugins): ~/.aws/amazonq/mcp.json (docs.aws.amazon.com/amazonq, MCP configuration). */
export function locateAmazonQ(host: Host): ClientLocation {
  const dir = join(host.home, '.aws', 'amazonq');
  return {
    configPath: join(dir, 'mcp.json'),
    installed: isInstalled(host, { paths: [dir], apps: ['Amazon Q.app'], bins: ['q'] }),
    otherPaths: [],
  };
}

/** Crush: $XDG_CONFIG_HOME/crush/crush.json, %LOCALAPPDATA%\crush on Windows (github.com/charmbracelet/crush). Key `mcp`. */
export function locateCrush(host: Host): ClientLocation {
  const dir = host.platform === 'win32' ? join(windowsLocalAppData(host), 'crush') : join(xdgConfigHome(host), 'crush');
  return { configPath: join(dir, 'crush.json'), installed: isInstalled(host, { paths: [dir], bins: ['crush'] }), otherPaths: [] };
}

export function createKiroClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'kiro',
      name: 'Kiro',
      applyHint: 'Kiro reloads mcp.json by itself; check the server in the Kiro panel (MCP servers).',
      serversKey: 'mcpServers',
      withType: false,
      strictJson: false,
      locate: locateKiro,
    },
    deps,
  );
}

export function createLmStudioClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'lm-studio',
      name: 'LM Studio',
      applyHint: 'LM Studio reloads mcp.json by itself; enable the server in a chat (Program > Integrations).',
      serversKey: 'mcpServers',
      withType: false,
      strictJson: true,
      locate: locateLmStudio,
    },
    deps,
  );
}

export function createAmazonQClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'amazon-q',
      name: 'Amazon Q Developer',
      applyHint: 'Start a new Amazon Q chat (q chat, or reload the IDE window) to load the change.',
      serversKey: 'mcpServers',
      withType: false,
      strictJson: true,
      locate: locateAmazonQ,
    },
    deps,
  );
}

export function createCrushClient(deps: ClientDeps): AiClient {
  return createFileClient(
    {
      id: 'crush',
      name: 'Crush',
      applyHint: 'Start Crush again to load the change.',
      serversKey: 'mcp',
      withType: true, // crush.json wants `type: "stdio"`
      strictJson: true,
      locate: locateCrush,
    },
    deps,
  );
}
