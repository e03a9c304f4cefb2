import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { appDataDir } from '../core/app-paths.ts';
import { ProfileError, resolveProfile } from '../core/profile.ts';
import { createKeyringSecretStore } from '../core/secrets/keyring-secret-store.ts';
import { SecretStoreError, type SecretStore } from '../core/secrets/secret-store.ts';
import { localWarmPoolSize } from '../core/settings/settings-schema.ts';
import { createSettingsStore, type SettingsStore } from '../core/settings/settings-store.ts';
import { DataDirInUseError, startLocalProvider, type LocalProvider } from '../local/provider-port.ts';
import { ToolFailure } from './errors.ts';
import type { Logger } from './log.ts';
import type { DaytonaProfile } from './profile-source.ts';

export interface SettingsProfileOptions {
  log: Logger;
  settings?: Pick<SettingsStore, 'load' | 'file'>;
  secrets?: SecretStore;
  /** Where the local profile's sandboxes live (default: <app data>/local, the tray's own). */
  localDataDir?: string;
  /** Starts the embedded provider (injected in tests). */
  startLocal?: (dataDir: string) => Promise<LocalProvider>;
  /** How long a resolved profile is reused while the settings file is unchanged (default 10 s). */
  reuseMs?: number;
  now?: () => number;
}

/**
 * The MCP server's profile when the environment names none (run by hand, or the bridge serving in-process
 * because the tray is not running): the active profile from settings, its API key from the keychain. For the
 * local profile (also what a fresh install without a settings file has) it starts the embedded provider in
 * this process, once, so a client gets working tools before anything was set up.
 */
export function settingsProfileFallback(options: SettingsProfileOptions) {
  const settings = options.settings ?? createSettingsStore();
  const secrets = options.secrets ?? createKeyringSecretStore();
  let local: Promise<LocalProvider> | undefined;
  // The profile is asked for on every tool call; a cloud profile's key comes from a keychain helper process.
  // Reuse a resolution while the settings file is unchanged, for a few seconds (a logout takes effect then).
  const reuseMs = options.reuseMs ?? 10_000;
  const now = options.now ?? Date.now;
  let cached: { mtimeMs: number; at: number; profile: Awaited<ReturnType<typeof resolveProfile>> } | undefined;

  const startLocal = async (): Promise<LocalProvider> => {
    const dataDir = options.localDataDir ?? join(appDataDir(), 'local');
    try {
      const warmPoolSize = localWarmPoolSize((await settings.load()).settings);
      const provider = await (options.startLocal ?? defaultStartLocal(options.log, warmPoolSize))(dataDir);
      options.log.info(`started the local provider for the local profile at ${provider.apiUrl}`);
      return provider;
    } catch (error) {
      local = undefined;
      if (error instanceof DataDirInUseError) {
        // Held by the tray's provider or a shared server's; neither's MCP server answered this client.
        const pid = /pid (\d+)/.exec(error.message)?.[1];
        throw new ToolFailure(
          'unreachable',
          `The local provider's sandboxes are in use by another Daytona Tray process${pid ? ` (pid ${pid})` : ''} whose MCP server this client could not reach. ` +
            'If the tray is running, choose Restart MCP server in its menu; otherwise retry in a minute (a shared server that is stopping releases them).',
        );
      }
      throw new ToolFailure('failed', `Could not start the local provider: ${(error as Error).message}`);
    }
  };

  return {
    async active(): Promise<DaytonaProfile | undefined> {
      // No settings file is the first run: the same rule as every command (resolveProfile), the local provider.
      const mtimeMs = await stat(settings.file).then(
        (stats) => stats.mtimeMs,
        () => -1,
      );
      let profile;
      if (cached && cached.mtimeMs === mtimeMs && now() - cached.at < reuseMs) {
        profile = cached.profile;
      } else {
        try {
          profile = await resolveProfile({ settings, secrets });
        } catch (error) {
          cached = undefined;
          if (error instanceof ProfileError || error instanceof SecretStoreError) throw new ToolFailure('no-profile', error.message);
          throw error;
        }
        cached = { mtimeMs, at: now(), profile };
      }
      if (profile.kind === 'cloud') {
        return {
          name: profile.name,
          apiUrl: profile.apiUrl,
          apiKey: profile.apiKey,
          ...(profile.target ? { target: profile.target } : {}),
        };
      }
      local ??= startLocal();
      const provider = await local;
      return { name: profile.name, kind: 'local', apiUrl: provider.apiUrl, apiKey: provider.apiKey };
    },
    async dispose(): Promise<void> {
      const provider = await local?.catch(() => undefined);
      local = undefined;
      await provider?.close();
    },
  };
}

function defaultStartLocal(log: Logger, warmPoolSize: number | undefined) {
  return (dataDir: string) =>
    startLocalProvider({ dataDir, log: (line) => log.info(`[local] ${line}`), ...(warmPoolSize !== undefined ? { warmPoolSize } : {}) });
}
