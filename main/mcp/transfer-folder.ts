import { homedir } from 'node:os';
import { join } from 'node:path';
import { createSettingsStore, type SettingsStore } from '../core/settings/settings-store.ts';

/** Where host transfers go when the user chose no folder: a `Daytona` folder in Downloads. */
export function defaultTransferFolder(home: string = homedir()): string {
  return join(home, 'Downloads', 'Daytona');
}

/**
 * The transfer folder as settings name it now (read on every call, so a change in the tray's settings applies
 * to the next transfer without restarting the server).
 */
export function settingsTransferFolder(settings: Pick<SettingsStore, 'load'> = createSettingsStore()): () => Promise<string> {
  return async () => {
    const chosen = await settings.load().then(
      ({ settings: loaded }) => loaded.mcp.transferFolder,
      () => undefined,
    );
    return chosen ?? defaultTransferFolder();
  };
}
