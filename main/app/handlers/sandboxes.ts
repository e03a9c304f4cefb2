import { createTerminalOpener } from '../../core/terminal/open-terminal.ts';
import { TerminalError } from '../../core/terminal/terminal-launch.ts';
import { openSandboxTerminal } from '../sandbox-terminal.ts';
import { ProfileError } from '../../core/profile.ts';
import { actionsOrFail, ok, openWebPage, profileProblem, type HandlerContext, type HandlersOf } from './context.ts';

type SandboxMethods =
  'startSandbox' | 'stopSandbox' | 'deleteSandbox' | 'openPreview' | 'openTerminal' | 'refreshSandboxes' | 'captureDesktop' | 'copyText';

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
    async openTerminal({ id }) {
      if (!ctx.cliLaunch) throw new TerminalError('This app cannot open terminals: it does not know how to run its own command line.');
      const snapshot = session.snapshot();
      const profile = snapshot.profile;
      const opened = await openSandboxTerminal(
        {
          target: () =>
            !profile
              ? undefined
              : profile.kind === 'local'
                ? { kind: 'local', endpoint: ctx.supervisor.localEndpoint() }
                : { kind: 'cloud', sshCommand: (sandbox) => actionsOrFail(session).sshCommand(sandbox) },
          cli: ctx.cliLaunch,
          opener: (ctx.terminal ??= createTerminalOpener()),
        },
        id,
        snapshot.sandboxes.find((sandbox) => sandbox.id === id)?.name ?? id,
      );
      ctx.log(`opened a terminal on sandbox ${id} in ${opened.emulator} (${opened.via})`);
      return ok(opened);
    },
    async refreshSandboxes() {
      session.wake();
      await session.refreshSandboxes();
      return ok(undefined);
    },
    async captureDesktop({ id, size }) {
      const frames = session.desktopFrames();
      if (!frames) throw new ProfileError('no-api-key', profileProblem(session));
      return ok(await frames.capture(id, size));
    },
    async copyText({ text }) {
      ctx.desktop.copyText(text);
      return ok(undefined);
    },
  };
}
