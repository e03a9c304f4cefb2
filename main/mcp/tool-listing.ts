import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ToolDefinition } from './tool-kit.ts';

const listings = new WeakMap<readonly ToolDefinition<any>[], Tool[]>();

/**
 * The tools/list answer for a set of tools, converted from zod once per process. McpServer converts every
 * schema again on every tools/list (~10 ms for these 23 tools), and each client session asks at least once;
 * the tools never change while the server runs, so the answer is built once, the way McpServer builds it
 * (test/unit/mcp-tool-listing.test.ts holds the two equal).
 */
export function toolListing(tools: readonly ToolDefinition<any>[]): Tool[] {
  let listing = listings.get(tools);
  if (!listing) {
    listing = tools.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: toJsonSchemaCompat(z.object(tool.input), { strictUnions: true, pipeStrategy: 'input' }) as Tool['inputSchema'],
      ...(tool.output
        ? {
            outputSchema: toJsonSchemaCompat(z.object(tool.output), { strictUnions: true, pipeStrategy: 'output' }) as Tool['outputSchema'],
          }
        : {}),
      annotations: tool.annotations,
      // What registerTool gives every plain tool: no task-based execution.
      execution: { taskSupport: 'forbidden' as const },
    }));
    listings.set(tools, listing);
  }
  return listing;
}
