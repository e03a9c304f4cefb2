import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { objectFromShape } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { callContext, type RequestExtra } from './call-context.ts';
import { keepActive, mayHaveStopped, sandboxOfCall, stoppedUnderCall } from './activity.ts';
import type { DaytonaPort } from './daytona-port.ts';
import { describeFailure } from './errors.ts';
import type { Logger } from './log.ts';
import { DEFAULT_LIMITS, errorResult, TOOL_GROUPS, toResult, type Limits, type ToolDefinition, type ToolGroup } from './tool-kit.ts';
import { toolListing } from './tool-listing.ts';
import { settingsTransferFolder } from './transfer-folder.ts';
import { ALL_TOOLS } from './tools/index.ts';

export const MCP_SERVER_NAME = 'daytona-tray';
export const MCP_SERVER_VERSION = '0.1.0';

const INSTRUCTIONS =
  'Tools for Daytona sandboxes (isolated computers for running code). create_sandbox returns an id: pass it as `id` ' +
  'to every other tool. Paths are absolute or relative to the sandbox home directory. Sandboxes stop by themselves ' +
  'after some idle minutes (set_auto_stop); start_sandbox brings one back. destroy_sandbox deletes one for good.';

export interface ServerDeps {
  daytona: DaytonaPort;
  log: Logger;
  /** Tool groups to offer (default: all). */
  groups?: Iterable<ToolGroup>;
  limits?: Partial<Limits>;
  /** The host folder for `localPath` transfers (default: from settings, else ~/Downloads/Daytona). */
  transferFolder?: () => Promise<string>;
}

/**
 * Builds one MCP server over the Daytona port. It knows no transport: stdio, Streamable HTTP (one server per
 * session) and the bridge's in-process fallback all connect what this returns.
 */
export function createServer(deps: ServerDeps): McpServer {
  const groups = new Set(deps.groups ?? TOOL_GROUPS);
  const tools = enabledTools(groups);
  const toolDeps = {
    daytona: deps.daytona,
    log: deps.log,
    limits: { ...DEFAULT_LIMITS, ...deps.limits },
    transferFolder: deps.transferFolder ?? settingsTransferFolder(),
  };
  const server = new McpServer(
    { name: MCP_SERVER_NAME, title: 'Daytona (Daytona Tray)', version: MCP_SERVER_VERSION },
    { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS, jsonSchemaValidator: sharedValidator() },
  );
  for (const tool of tools) register(server, tool, toolDeps);
  // Replaces McpServer's own tools/list handler with one that converts the schemas once per process.
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: toolListing(tools) }));
  return server;
}

/** Streamable HTTP's server transport can end the answer stream of one request. */
interface StreamCloser {
  closeSSEStream?(requestId: string | number): void;
}

const toolSets = new Map<string, readonly ToolDefinition<any>[]>();

/** The enabled tools, as one array per group set (the listing cache is keyed on it). */
export function enabledTools(groups: ReadonlySet<ToolGroup>): readonly ToolDefinition<any>[] {
  const key = TOOL_GROUPS.filter((group) => groups.has(group)).join(',');
  let tools = toolSets.get(key);
  if (!tools) {
    tools = ALL_TOOLS.filter((tool) => groups.has(tool.group));
    toolSets.set(key, tools);
  }
  return tools;
}

/**
 * Every session gets its own McpServer (one per transport), and each would build an Ajv instance and a zod object
 * per tool schema from scratch (~2 ms of CPU per session for 50 tools, part of every AI client's first answer).
 * The tools never change while the server runs, so both are built once per process, with the SDK's own functions.
 */
let validator: AjvJsonSchemaValidator | undefined;
const sharedValidator = () => (validator ??= new AjvJsonSchemaValidator());
const schemaObjects = new WeakMap<object, ReturnType<typeof objectFromShape>>();
function schemaObject(shape: Parameters<typeof objectFromShape>[0]): ReturnType<typeof objectFromShape> {
  let object = schemaObjects.get(shape);
  if (!object) {
    object = objectFromShape(shape);
    schemaObjects.set(shape, object);
  }
  return object;
}

function register(server: McpServer, tool: ToolDefinition<any>, deps: Parameters<ToolDefinition['run']>[1]): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: schemaObject(tool.input),
      ...(tool.output ? { outputSchema: schemaObject(tool.output) } : {}),
      annotations: tool.annotations,
    },
    async (args: unknown, extra: RequestExtra & { requestId: string | number }) => {
      const started = performance.now();
      const startedAt = Date.now();
      const call = callContext(extra);
      // MCP sends nothing back for a cancelled request, so over HTTP its answer stream would stay open: close it.
      const closeStream = () => (server.server.transport as StreamCloser | undefined)?.closeSSEStream?.(extra.requestId);
      extra.signal.addEventListener('abort', closeStream, { once: true });
      const sandbox = sandboxOfCall(tool.name, args);
      const stopRefreshing = sandbox ? keepActive(deps.daytona, sandbox, deps.limits.activityRefreshMs, deps.log) : () => {};
      let result: CallToolResult;
      try {
        result = toResult(await tool.run(args as never, deps, call));
        deps.log.info(`${tool.name} ok in ${Math.round(performance.now() - started)} ms`);
      } catch (error) {
        const failure = describeFailure(error, { action: `run ${tool.name}` });
        deps.log.info(`${tool.name} failed (${failure.kind}) in ${Math.round(performance.now() - started)} ms: ${failure.message}`);
        if (failure.kind === 'failed' && !(error instanceof Error && error.name === 'ToolFailure')) {
          deps.log.warn(`${tool.name}: unexpected ${error instanceof Error ? error.name : typeof error}`);
        }
        result = errorResult(failure.message);
      } finally {
        stopRefreshing();
        extra.signal.removeEventListener('abort', closeStream);
      }
      if (call.signal.aborted) {
        deps.log.info(`${tool.name} cancelled by the client after ${Math.round(performance.now() - started)} ms`);
        return result;
      }
      if (sandbox && mayHaveStopped(result.isError === true, result.structuredContent)) {
        const first = result.content[0];
        const note = await stoppedUnderCall(deps.daytona, sandbox, first?.type === 'text' ? first.text : '', startedAt);
        if (note && first?.type === 'text') result.content[0] = { type: 'text', text: `${note}\n${first.text}` };
      }
      return result;
    },
  );
}
