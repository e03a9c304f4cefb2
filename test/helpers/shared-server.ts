import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { ChildStdioTransport, cleanEnv, connectClient, spawnCli, type CliChild } from './mcp-harness.ts';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

/** An AI client as Claude Code runs one: the real MCP client over a `daytona-tray bridge` child's stdio. */
export interface BridgeClient {
  bridge: CliChild;
  client: Client;
}

/** The environment AI clients give their bridges in these tests: no Daytona account, a short grace period. */
export function bridgeEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv({
    DAYTONA_TRAY_HOME: home,
    HOME: home,
    DAYTONA_TRAY_NO_BWRAP: '1',
    DAYTONA_TRAY_SHARED_GRACE_MS: '1500',
    ...extra,
  });
}

export async function startBridgeClient(env: NodeJS.ProcessEnv, cwd: string, name = 'bridge-client'): Promise<BridgeClient> {
  const bridge = spawnCli(['bridge'], env, cwd);
  try {
    return { bridge, client: await connectClient(new ChildStdioTransport(bridge), name) };
  } catch (error) {
    await bridge.kill();
    throw new Error(`${(error as Error).message}\nbridge stderr:\n${bridge.stderr()}`, { cause: error });
  }
}

/** Closes the client (stdin ends) and waits for its bridge to exit. */
export async function closeBridgeClient({ bridge, client }: BridgeClient): Promise<number | null> {
  await client.close();
  return (await bridge.exited).code;
}

/** The shared server's pid, as the bridge logged it when it started or joined that server. */
export function sharedPidIn(stderr: string): number | undefined {
  // "started a shared MCP server (pid 123, …)" or "relaying to http://… (the shared MCP server, pid 123)".
  const match = /shared MCP server(?: \(|, )pid (\d+)/.exec(stderr);
  return match ? Number(match[1]) : undefined;
}

/**
 * Processes of this user that belong to `dir`: their working directory or command line is inside it (a shared
 * server's sandboxes run in the data dir; the server's log and runtime file are there). The test process is left out.
 */
export function processesUsing(dir: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // another user's process, or gone
      }
      if (cwd.startsWith(dir) || cmdline.includes(dir) || environ.includes(`DAYTONA_TRAY_HOME=${dir}`)) found.push({ pid, cmdline });
    } catch {
      // exited meanwhile, or not ours
    }
  }
  return found;
}
