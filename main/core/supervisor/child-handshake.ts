import { z } from 'zod';
import { readRuntimeFile } from '../runtime-file.ts';
import type { LogBuffer } from './log-buffer.ts';
import { createMcpPinger, type McpPinger } from './mcp-ping.ts';
import { firstStdoutLine, type ChildHandle } from './spawn-child.ts';

// What the supervisor's two children say when they are ready, and how it checks them.

/** Where the MCP child reaches Daytona. */
export interface Endpoint {
  apiUrl: string;
  apiKey: string;
  target?: string;
}

export interface McpChild {
  url: string;
  port: number;
  pinger: McpPinger;
  /** The endpoint it was started with (a moved local provider means a restart). */
  endpoint: Endpoint | undefined;
}

const mcpReadyLine = z.object({
  url: z.url(),
  port: z.number().int().positive(),
  pid: z.number().int().positive(),
  runtimeFile: z.string().min(1),
});
const localReadyLine = z.object({ apiUrl: z.url(), apiKey: z.string().min(1) });

// Credentials from the tray's own environment never leak into a child: the profile decides what it gets.
const DROPPED_ENV = [
  'DAYTONA_API_KEY',
  'DAYTONA_API_URL',
  'DAYTONA_TARGET',
  'DAYTONA_TRAY_LOCAL_API_KEY',
  'DAYTONA_TRAY_MCP_DISABLED_GROUPS',
];

/** The children's base environment: `env` without Daytona credentials, run as node by an Electron binary. */
export function childBaseEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...env, ELECTRON_RUN_AS_NODE: '1' };
  for (const name of DROPPED_ENV) delete base[name];
  return base;
}

/** `mcp --http` arguments: no secret here, argv is visible to every user of the machine. */
export function mcpServerArgs(port: number, disabledGroups: readonly string[]): string[] {
  return [
    'mcp',
    '--http',
    '--json',
    '--exit-with-parent',
    '--port',
    String(port),
    ...(disabledGroups.length > 0 ? ['--disable-groups', disabledGroups.join(',')] : []),
  ];
}

/** The variables the Daytona SDK reads: the key travels in the environment only, never in argv. */
export function endpointEnv(endpoint: Endpoint | undefined): Record<string, string> {
  if (!endpoint) return {};
  return {
    DAYTONA_API_URL: endpoint.apiUrl,
    DAYTONA_API_KEY: endpoint.apiKey,
    ...(endpoint.target ? { DAYTONA_TARGET: endpoint.target } : {}),
  };
}

/** The MCP child's ready line, checked against its runtime file and an MCP ping. */
export async function mcpChildReady(
  child: ChildHandle,
  signal: AbortSignal,
  log: LogBuffer,
  endpoint: Endpoint | undefined,
): Promise<McpChild> {
  const line = mcpReadyLine.parse(JSON.parse(await firstStdoutLine(child, signal)));
  const info = await readRuntimeFile(line.runtimeFile);
  if (!info || info.pid !== line.pid) throw new Error(`its runtime file ${line.runtimeFile} does not describe it`);
  log.addSecret(info.token);
  const pinger = createMcpPinger({ url: info.url, token: info.token });
  try {
    await pinger.ping(signal);
  } catch (error) {
    await pinger.close();
    throw new Error(`no answer to an MCP ping at ${info.url}: ${(error as Error).message}`, { cause: error });
  }
  return { url: info.url, port: info.port, pinger, endpoint };
}

/** The local provider's ready line, checked by asking it. */
export async function localProviderReady(child: ChildHandle, signal: AbortSignal): Promise<Endpoint> {
  const line = localReadyLine.parse(JSON.parse(await firstStdoutLine(child, signal)));
  await checkLocal(line.apiUrl, signal);
  return { apiUrl: line.apiUrl.replace(/\/+$/, ''), apiKey: line.apiKey };
}

/** The local provider answers `/api/config` without a key once it serves. */
export async function checkLocal(apiUrl: string, signal: AbortSignal): Promise<void> {
  const response = await fetch(`${apiUrl.replace(/\/+$/, '')}/config`, { signal });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`${apiUrl}/config answered HTTP ${response.status}`);
}
