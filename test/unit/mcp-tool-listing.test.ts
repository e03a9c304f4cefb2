import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it } from 'vitest';
import type { DaytonaPort } from '../../main/mcp/daytona-port.ts';
import { silentLogger } from '../../main/mcp/log.ts';
import { createServer, enabledTools } from '../../main/mcp/server.ts';
import { TOOL_GROUPS } from '../../main/mcp/tool-kit.ts';
import { toolListing } from '../../main/mcp/tool-listing.ts';
import { ALL_TOOLS } from '../../main/mcp/tools/index.ts';

async function listVia(server: McpServer): Promise<{ name: string }[]> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'listing-test', version: '0' });
  await client.connect(clientSide);
  try {
    // Over a real transport the answer is JSON: undefined fields vanish.
    return JSON.parse(JSON.stringify((await client.listTools()).tools));
  } finally {
    await client.close();
  }
}

// Listing never touches Daytona: a port that fails loudly if it is ever called.
const unusedPort = new Proxy(
  {},
  {
    get: () => () => {
      throw new Error('the Daytona port is not used to list tools');
    },
  },
) as DaytonaPort;

describe('MCP tool listing cache', () => {
  it('lists exactly what McpServer itself would list for the same tools', async () => {
    const reference = new McpServer({ name: 'reference', version: '0' });
    for (const tool of ALL_TOOLS) {
      reference.registerTool(
        tool.name,
        {
          title: tool.title,
          description: tool.description,
          inputSchema: tool.input,
          ...(tool.output ? { outputSchema: tool.output } : {}),
          annotations: tool.annotations,
        },
        async () => ({ content: [] }),
      );
    }
    const ours = await listVia(createServer({ daytona: unusedPort, log: silentLogger }));
    expect(ours).toEqual(await listVia(reference));
  });

  it('converts once per tool set and honours the enabled groups', async () => {
    const all = enabledTools(new Set(TOOL_GROUPS));
    expect(enabledTools(new Set(TOOL_GROUPS))).toBe(all);
    expect(toolListing(all)).toBe(toolListing(all));
    const noGit = await listVia(
      createServer({ daytona: unusedPort, log: silentLogger, groups: ['sandbox', 'files', 'process', 'preview', 'computer-use'] }),
    );
    expect(noGit.map((tool) => tool.name)).toEqual(ALL_TOOLS.filter((tool) => tool.group !== 'git').map((tool) => tool.name));
  });
});
