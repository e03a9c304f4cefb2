import { settingsView } from '../app-state.ts';
import { checkTransferFolder } from '../transfer-folder-choice.ts';
import { applyLocalWarmPool } from '../local-warm-pool.ts';
import { LOCAL_PROFILE } from '../../core/settings/settings-schema.ts';
import { fail, ok, type HandlerContext, type HandlersOf } from './context.ts';

const NO_LOGIN_ITEM = 'Start at login needs the desktop app: this window runs in the browser (web mode).';
const NO_FOLDER_PICKER = 'No folder picker here: this window runs in the browser (web mode). Type the folder instead.';

export interface SettingsPart {
  handlers: HandlersOf<'getState' | 'updateSettings' | 'pickTransferFolder'>;
  /** The tray menu's "Start at login": the OS login item first, then the setting. */
  setStartAtLogin(enabled: boolean): Promise<void>;
  /** At start: the OS keeps its own login item; bring it in line with the setting (the user may have moved the app). */
  syncLoginItem(): Promise<void>;
}

/** The snapshot and the settings: switches, tool groups, port, thresholds, start at login. */
export function createSettingsPart(ctx: HandlerContext): SettingsPart {
  const { settings: store, desktop } = ctx;

  async function setStartAtLogin(enabled: boolean): Promise<void> {
    if (!desktop.loginItem) throw new Error(NO_LOGIN_ITEM);
    await desktop.loginItem.setEnabled(enabled);
    await store.update((s) => {
      s.startAtLogin = enabled;
    });
    await ctx.store.reloadSettings();
  }

  return {
    handlers: {
      getState: async () => ok(ctx.store.state()),

      async updateSettings(patch) {
        const before = ctx.store.settings();
        if (patch.startAtLogin !== undefined && patch.startAtLogin !== before.startAtLogin) {
          if (!desktop.loginItem) return fail('unsupported', NO_LOGIN_ITEM);
        }
        // Checked before anything changes: a refused folder leaves every other setting as it was too.
        let transferFolder: string | null | undefined = patch.transferFolder;
        if (typeof patch.transferFolder === 'string') {
          const checked = await checkTransferFolder(patch.transferFolder);
          if (!checked.ok) return fail('invalid', checked.message);
          transferFolder = checked.path;
        }
        if (patch.startAtLogin !== undefined && patch.startAtLogin !== before.startAtLogin) {
          await desktop.loginItem!.setEnabled(patch.startAtLogin);
        }
        await store.update((s) => {
          if (patch.toolGroups) Object.assign(s.mcp.toolGroups, patch.toolGroups);
          if (patch.notifications) Object.assign(s.notifications, patch.notifications);
          if (patch.lowBalanceThresholdCents !== undefined) s.lowBalanceThresholdCents = patch.lowBalanceThresholdCents;
          if (patch.startAtLogin !== undefined) s.startAtLogin = patch.startAtLogin;
          if (patch.mcpPort !== undefined) s.mcp.port = patch.mcpPort;
          // Read by the next shared server that starts (the tray's own server has no grace period).
          if (patch.sharedGraceMinutes !== undefined) s.mcp.sharedGraceMinutes = patch.sharedGraceMinutes;
          // Read by a local provider at its start; the running one is resized below.
          if (patch.warmPoolSize !== undefined) {
            const local = s.profiles[LOCAL_PROFILE];
            if (local?.kind === 'local') local.warmPoolSize = patch.warmPoolSize;
          }
          // The MCP tools read it at each transfer: no restart needed.
          if (transferFolder === null) delete s.mcp.transferFolder;
          else if (transferFolder !== undefined) s.mcp.transferFolder = transferFolder;
        });
        const after = await ctx.store.reloadSettings();
        // Tool groups and the port are the server's command line: it restarts with them.
        if (patch.toolGroups || patch.mcpPort !== undefined) void ctx.supervisor.refresh();
        const endpoint = ctx.supervisor.localEndpoint();
        if (patch.warmPoolSize !== undefined && endpoint) {
          try {
            await applyLocalWarmPool(endpoint, patch.warmPoolSize);
          } catch (error) {
            return fail(
              'failed',
              `Saved, but the running local provider did not take it (${(error as Error).message}); it applies when the server next starts.`,
            );
          }
        }
        return ok(settingsView(after));
      },

      async pickTransferFolder() {
        if (!desktop.pickFolder) return fail('unsupported', NO_FOLDER_PICKER);
        const path = await desktop.pickFolder({
          title: 'Folder for AI clients’ file transfers',
          defaultPath: settingsView(ctx.store.settings()).transferFolder.path,
        });
        return ok(path === undefined ? {} : { path });
      },
    },
    setStartAtLogin,
    async syncLoginItem() {
      const loginItem = desktop.loginItem;
      const wanted = ctx.store.settings().startAtLogin;
      if (!loginItem || (await loginItem.enabled().catch(() => wanted)) === wanted) return;
      await loginItem.setEnabled(wanted).catch((error: unknown) => ctx.log(`start at login: ${(error as Error).message}`));
    },
  };
}
