import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Daytona } from '@daytonaio/sdk';
import { buildApp, type AppParts, type BuiltApp } from '../../main/app/build-app.ts';
import { registerBridgeHandlers, type IpcSender } from '../../main/app/ipc-registry.ts';
import type { Timers } from '../../main/core/alerts/alert-policy.ts';
import { resolveBridgeLaunch } from '../../main/core/clients/bridge-launch.ts';
import { createLogFile, LOG_FILE_NAME } from '../../main/core/logs/log-file.ts';
import { createMemorySecretStore } from '../../main/core/secrets/memory-secret-store.ts';
import { createSettingsStore } from '../../main/core/settings/settings-store.ts';
import {
  METHOD_CHANNELS,
  type AppState,
  type BridgeMethodName,
  type RequestOf,
  type Result,
  type ValueOf,
} from '../../preload/contract.ts';
import { createDesktopDouble, type DesktopDouble } from './desktop-double.ts';
import { cliEnv } from './local-cli.ts';
import { CLI } from './paths.ts';
import { tempDir } from './temp-dir.ts';

/** The alert policy's timers, fired by the test (so "nothing was notified" is a decision already made, not a wait). */
export interface ManualTimers extends Timers {
  /** Fires every pending timer, and those they arm, until none is left. */
  runAll(): void;
}

export function manualTimers(): ManualTimers {
  const pending = new Map<number, () => void>();
  let next = 1;
  return {
    setTimeout(callback) {
      const id = next++;
      pending.set(id, callback);
      return id;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
    runAll() {
      for (let round = 0; pending.size > 0; round++) {
        if (round > 100) throw new Error('the alert timers keep re-arming themselves');
        const due = [...pending.values()];
        pending.clear();
        for (const callback of due) callback();
      }
    },
  };
}

export interface TestApp extends BuiltApp {
  desktop: DesktopDouble;
  home: string;
  /** Calls a contract method the way the window does: through the IPC registry (sender check, zod parse). */
  call<K extends BridgeMethodName>(
    method: K,
    ...request: RequestOf<K> extends undefined ? [] : [RequestOf<K>]
  ): Promise<Result<ValueOf<K>>>;
  state(): AppState;
  /** An unmodified SDK client for the supervised local provider (dispose it). */
  localDaytona(): Daytona;
  /** Resolves once a quit (desktop.quit) has stopped the app, as a shell's quit does. */
  quitted(): Promise<void> | undefined;
  cleanup(): Promise<void>;
}

export interface TestAppOptions {
  /** The desktop's platform (macOS notifications have buttons); default linux. */
  platform?: NodeJS.Platform;
  /** Real ms per Daytona minute on the supervised local provider. */
  minuteMs: number;
  alerts?: AppParts['alerts'];
  supervisor?: Omit<NonNullable<AppParts['supervisor']>, 'env'>;
  /** The browser sign-in (default: none, a test that signs in passes its stand-in). */
  signIn?: AppParts['signIn'];
  /** Run in this folder (kept at cleanup) instead of a new one: its `data` is the app data directory. */
  home?: string;
  /** How sandbox terminals open (default: the app's own, the OS terminal emulator). */
  terminal?: AppParts['terminal'];
}

/**
 * The app as buildApp builds it for a shell, on real parts: the built CLI's MCP server and local provider as
 * supervised children (no bubblewrap), real client config files in a temp HOME where Cursor counts as installed,
 * settings in a temp data dir, an in-memory keychain. Only the desktop is a recording double, whose quit stops the
 * app as the shells do. Started before it is returned.
 */
export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const home = options.home ? { path: options.home, cleanup: async () => {} } : await tempDir('daytona-tray-app-');
  const dataDir = join(home.path, 'data');
  const env = cliEnv(dataDir, { DAYTONA_TRAY_LOCAL_MINUTE_MS: String(options.minuteMs), HOME: home.path, DAYTONA_TRAY_NO_BWRAP: '1' });
  await mkdir(join(home.path, '.cursor'), { recursive: true }); // Cursor counts as installed
  let quitting: Promise<void> | undefined;
  const holder: { built?: BuiltApp } = {};
  const desktop = createDesktopDouble({
    platform: options.platform ?? 'linux',
    onQuit: () => {
      quitting ??= holder.built?.app.stop();
    },
  });
  const host = { platform: 'linux' as const, home: home.path, env: { HOME: home.path, PATH: '/nonexistent' } };
  const built = buildApp({
    desktop,
    cliScript: CLI,
    settings: createSettingsStore({ file: join(dataDir, 'settings.json') }),
    secrets: createMemorySecretStore(),
    logFile: createLogFile({ path: join(dataDir, 'logs', LOG_FILE_NAME) }),
    env: {},
    supervisor: { ...options.supervisor, env, profileCheckMs: 0 },
    clients: { host, launch: resolveBridgeLaunch({ execPath: process.execPath, electron: false, cliScript: CLI }) },
    ...(options.alerts ? { alerts: options.alerts } : {}),
    ...(options.signIn ? { signIn: options.signIn } : {}),
    ...(options.terminal ? { terminal: options.terminal } : {}),
  });
  holder.built = built;
  await built.app.start();

  const channels = new Map<string, (sender: IpcSender, payload: unknown) => Promise<unknown>>();
  const window: IpcSender = { webContentsId: 1, frameUrl: 'file:///app/out/renderer/index.html', isMainFrame: true };
  registerBridgeHandlers(
    { handle: (channel, listener) => void channels.set(channel, listener), removeHandler: () => {} },
    built.app.handlers,
    { isTrusted: (sender) => sender === window },
  );

  return {
    ...built,
    desktop,
    home: home.path,
    call: (method, ...request) => channels.get(METHOD_CHANNELS[method])!(window, request[0]) as never,
    state: () => built.app.state(),
    localDaytona() {
      const endpoint = built.supervisor.localEndpoint();
      if (!endpoint) throw new Error('the local provider is not ready');
      return new Daytona({ apiUrl: endpoint.apiUrl, apiKey: endpoint.apiKey });
    },
    quitted: () => quitting,
    async cleanup() {
      await (quitting ?? built.app.stop());
      await home.cleanup();
    },
  };
}

/** Resolves once `condition` holds (for hooks, where expect.poll is not allowed); fails after `timeoutMs` naming `what`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
