import { actionsOrFail, ok, openWebPage, type HandlerContext, type HandlersOf } from './context.ts';

type SandboxMethods = 'startSandbox' | 'stopSandbox' | 'deleteSandbox' | 'openPreview' | 'refreshSandboxes' | 'copyText';

/** Sandbox actions on the active profile (the watcher notes them as ours, so they raise no auto-stop alert). */
export function createSandboxHandlers(ctx: HandlerContext): HandlersOf<SandboxMethods> {
  const { session } = ctx;
  return {
    async startSandbox({ id }) {
      await actionsOrFail(session).start(id);
      return ok(undefined);
    },
    async stopSandbox({ id }) {
      await actionsOrFail(session).stop(id);
      return ok(undefined);
    },
    async deleteSandbox({ id }) {
      await actionsOrFail(session).remove(id);
      return ok(undefined);
    },
    async openPreview({ id, port }) {
      const url = await actionsOrFail(session).previewUrl(id, port);
      await openWebPage(ctx.desktop, url);
      return ok({ url });
    },
    async refreshSandboxes() {
      session.wake();
      await session.refreshSandboxes();
      return ok(undefined);
    },
    async copyText({ text }) {
      ctx.desktop.copyText(text);
      return ok(undefined);
    },
  };
}
