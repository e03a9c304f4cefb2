import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { HEALTH_CHECK_HEADER } from './health-check-header.ts';

/**
 * Health as an AI client sees it: an MCP `ping` over Streamable HTTP with the bearer token, through the
 * SDK's own client. One session is kept open and reused; after a failure the next ping opens a fresh one
 * (the server may have dropped the session while still being healthy).
 */
export interface McpPinger {
  /** Rejects when the server does not answer; `signal` bounds the wait. */
  ping(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface McpPingerOptions {
  url: string;
  token: string;
  /** Shown to the server as the client's name. */
  clientName?: string;
}

export function createMcpPinger(options: McpPingerOptions): McpPinger {
  let client: Client | undefined;

  async function drop(): Promise<void> {
    const old = client;
    client = undefined;
    // Closing only aborts local requests; it never waits on the server.
    await old?.close().catch(() => {});
  }

  return {
    async ping(signal) {
      try {
        if (!client) {
          const fresh = new Client({ name: options.clientName ?? 'daytona-tray-supervisor', version: '1' });
          const transport = new StreamableHTTPClientTransport(new URL(options.url), {
            requestInit: { headers: { authorization: `Bearer ${options.token}`, [HEALTH_CHECK_HEADER]: '1' } },
          });
          client = fresh;
          await fresh.connect(transport, { signal });
        }
        await client.ping({ signal });
      } catch (error) {
        await drop();
        throw error;
      }
    },
    close: drop,
  };
}
