import type { Result } from '../../../preload/contract.ts';
import { fail, ok, type HandlerContext, type HandlersOf } from './context.ts';

/** The MCP server: restart it, read its log tail (secrets already masked by the supervisor's log), open the log file. */
export function createServerHandlers(ctx: HandlerContext): HandlersOf<'restartServer' | 'readServerLog' | 'openLogFile'> {
  return {
    async restartServer() {
      await ctx.supervisor.restart('restart requested from the window');
      return ok(undefined);
    },
    async readServerLog({ limit }) {
      return ok({ lines: ctx.supervisor.logs().slice(-(limit ?? 200)), ...(ctx.logFile ? { file: ctx.logFile.path } : {}) });
    },
    openLogFile: () => openLogFile(ctx),
  };
}

/** Opens the app's log file where the desktop can; otherwise says where it is and how to read it. */
export async function openLogFile(ctx: Pick<HandlerContext, 'desktop' | 'logFile'>): Promise<Result<{ path: string }>> {
  const path = ctx.logFile?.path;
  if (!path) return fail('unsupported', 'This app keeps no log file.');
  if (!ctx.desktop.openPath) return fail('unsupported', `The log file is ${path}; read it with 'daytona-tray logs --follow'.`);
  await ctx.desktop.openPath(path);
  return ok({ path });
}
