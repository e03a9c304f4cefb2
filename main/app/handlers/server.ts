import { ok, type HandlerContext, type HandlersOf } from './context.ts';

/** The MCP server: restart it, read its log tail (secrets already masked by the supervisor's log). */
export function createServerHandlers(ctx: HandlerContext): HandlersOf<'restartServer' | 'readServerLog'> {
  return {
    async restartServer() {
      await ctx.supervisor.restart('restart requested from the window');
      return ok(undefined);
    },
    async readServerLog({ limit }) {
      return ok({ lines: ctx.supervisor.logs().slice(-(limit ?? 200)) });
    },
  };
}
