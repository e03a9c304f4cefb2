import type { ChangeOptions, ClientId } from '../../core/clients/types.ts';
import { toClientChange, toClientView } from '../contract-views.ts';
import { CLIENT_IDS, TOOL_GROUPS, type ClientChange, type ClientView, type ToolGroup } from '../../../preload/contract.ts';
import { ok, type HandlerContext, type HandlersOf } from './context.ts';

type ClientMethods = 'connectClient' | 'disconnectClient' | 'previewClientSetup' | 'refreshClients';

export interface ClientsPart {
  handlers: HandlersOf<ClientMethods>;
  /** Reads every client's status again into the snapshot. */
  refresh(): Promise<ClientView[]>;
  /** Connects or disconnects one client (the tray menu's "Connect <client>" too). */
  change(id: ClientId, action: 'connect' | 'disconnect', options?: ChangeOptions): Promise<ClientChange>;
}

/** The AI clients: which are installed and connected, and one-click setup (or a dry run showing the diff). */
export function createClientsPart(ctx: HandlerContext): ClientsPart {
  async function refresh(): Promise<ClientView[]> {
    const clients = await Promise.all(
      CLIENT_IDS.map(async (id) => {
        const client = ctx.clients[id];
        try {
          return toClientView(await client.status(), client.applyHint);
        } catch (error) {
          const location = client.locate();
          return {
            id,
            name: client.name,
            installed: location.installed,
            connected: false,
            entry: 'absent',
            current: false,
            configPath: location.configPath,
            applyHint: client.applyHint,
            problem: (error as Error).message,
            tools: [...TOOL_GROUPS],
          } satisfies ClientView;
        }
      }),
    );
    ctx.store.set({ clients });
    return clients;
  }

  async function change(id: ClientId, action: 'connect' | 'disconnect', options: ChangeOptions = {}): Promise<ClientChange> {
    const client = ctx.clients[id];
    const result = action === 'connect' ? await client.connect(options) : await client.disconnect(options);
    // A client with no file (JetBrains): connecting hands the JSON over through the clipboard, to paste where the hint says.
    if (result.clipboard !== undefined && !options.dryRun) ctx.desktop.copyText(result.clipboard);
    if (!options.dryRun) await refresh();
    return toClientChange(result, client.applyHint);
  }

  const force = (value: boolean | undefined) => (value !== undefined ? { force: value } : {});
  const toolsOption = (tools: ToolGroup[] | undefined) => (tools !== undefined ? { tools } : {});
  return {
    handlers: {
      connectClient: async ({ id, force: forced, tools }) => ok(await change(id, 'connect', { ...force(forced), ...toolsOption(tools) })),
      disconnectClient: async ({ id, force: forced }) => ok(await change(id, 'disconnect', force(forced))),
      previewClientSetup: async ({ id, action, tools }) => ok(await change(id, action, { dryRun: true, ...toolsOption(tools) })),
      refreshClients: async () => ok(await refresh()),
    },
    refresh,
    change,
  };
}
