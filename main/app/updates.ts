import type { DesktopPort } from './desktop-port.ts';

/**
 * What the app needs of an updater: electron-updater's AppUpdater (https://www.electron.build/auto-update)
 * satisfies it, and so does a test's. Kept this small so main/app never imports Electron.
 */
export interface UpdaterPort {
  checkForUpdates(): Promise<{ isUpdateAvailable: boolean; updateInfo: { version: string } } | null>;
  on(event: 'download-progress', listener: (progress: { percent: number }) => void): unknown;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quitAndInstall(): void;
}

export type UpdateState =
  | { state: 'off'; reason: string }
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'up-to-date'; version: string }
  | { state: 'downloading'; version: string; percent: number }
  | { state: 'ready'; version: string }
  | { state: 'error'; message: string };

/** The tray's update item for a state: what it says, and what a click does. */
export interface UpdateMenuItem {
  label: string;
  enabled: boolean;
  action: 'check-updates' | 'install-update';
}

export interface Updates {
  state(): UpdateState;
  /** Checks the feed; an update found downloads at once, and "Restart to update" installs it. */
  check(): Promise<void>;
  /** Quits and installs the downloaded update (the app restarts on the new version). */
  install(): void;
  menuItem(): UpdateMenuItem;
}

export interface UpdatesOptions {
  /** The updater; absent with `off` saying why (an unpackaged run has no update feed nor installer to replace). */
  updater?: UpdaterPort;
  off?: string;
  currentVersion: string;
  notify: DesktopPort['notify'];
  onChange(state: UpdateState): void;
  log(line: string): void;
  /** Longest wait for the feed to answer. Default 60 s. */
  timeoutMs?: number;
}

const CHECK_TIMEOUT_MS = 60_000;

/**
 * "Check for updates…" from the tray: checks the release feed, downloads what it finds (progress in the menu),
 * says when the update is ready and installs it on "Restart to update". Errors are shown (a notification and
 * the menu item) and logged. Client entries are repaired by the updated app's start (main/app/client-repair.ts),
 * as after any move or update.
 */
export function createUpdates(options: UpdatesOptions): Updates {
  const { updater, log } = options;
  let current: UpdateState = updater ? { state: 'idle' } : { state: 'off', reason: options.off ?? 'not available here' };
  // Read through a call: the state changes while a check awaits (events), which TypeScript's narrowing cannot see.
  const stateNow = (): UpdateState['state'] => current.state;
  const set = (next: UpdateState) => {
    current = next;
    options.onChange(next);
  };
  const tell = (title: string, body: string) =>
    options.notify(
      {
        title,
        body,
        buttons: [],
        click: { type: 'open-window', label: 'Open', target: { view: 'settings' } },
        view: 'settings',
        groupId: 'updates',
        urgency: 'normal',
      },
      () => {},
    );
  const fail = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    log(`update check failed: ${message}`);
    set({ state: 'error', message });
    tell('Could not update Daytona Tray', `${firstLine(message)} Try "Check for updates…" again later.`);
  };

  if (updater) {
    updater.on('download-progress', (progress) => {
      if (current.state === 'downloading') set({ ...current, percent: Math.floor(progress.percent) });
    });
    updater.on('update-downloaded', (info) => {
      log(`update ${info.version} downloaded`);
      set({ state: 'ready', version: info.version });
      tell(`Daytona Tray ${info.version} is ready`, 'Choose "Restart to update" in the tray menu to install it.');
    });
    updater.on('error', (error) => {
      if (current.state === 'checking' || current.state === 'downloading') fail(error);
      else log(`updater: ${error.message}`);
    });
  }

  async function check(): Promise<void> {
    if (!updater) {
      log(`updates are off: ${current.state === 'off' ? current.reason : ''}`);
      return;
    }
    if (current.state === 'checking' || current.state === 'downloading' || current.state === 'ready') return;
    set({ state: 'checking' });
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = options.timeoutMs ?? CHECK_TIMEOUT_MS;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`The update feed did not answer within ${Math.round(timeoutMs / 1000)} s.`)), timeoutMs);
    });
    try {
      const result = await Promise.race([updater.checkForUpdates(), timeout]);
      if (stateNow() !== 'checking') return; // an error event got there first
      if (result?.isUpdateAvailable) {
        log(`update ${result.updateInfo.version} found (running ${options.currentVersion}); downloading`);
        set({ state: 'downloading', version: result.updateInfo.version, percent: 0 });
      } else {
        set({ state: 'up-to-date', version: options.currentVersion });
        tell('Daytona Tray is up to date', `Version ${options.currentVersion} is the latest.`);
      }
    } catch (error) {
      if (stateNow() === 'checking') fail(error);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    state: () => current,
    check,
    install() {
      if (current.state === 'ready' && updater) updater.quitAndInstall();
    },
    menuItem: () => updateMenuItem(current),
  };
}

export function updateMenuItem(state: UpdateState): UpdateMenuItem {
  const check = (label: string, enabled = true): UpdateMenuItem => ({ label, enabled, action: 'check-updates' });
  switch (state.state) {
    case 'off':
      return check(`Updates off: ${state.reason}`, false);
    case 'idle':
    case 'up-to-date':
      return check('Check for updates…');
    case 'checking':
      return check('Checking for updates…', false);
    case 'downloading':
      return check(`Downloading update ${state.version} (${state.percent}%)…`, false);
    case 'ready':
      return { label: `Restart to update to ${state.version}`, enabled: true, action: 'install-update' };
    case 'error':
      return check('Update failed: check again…');
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return /[.!?]$/.test(line) ? line : `${line}.`;
}
