import {
  ISOLATION_LABEL,
  NOTIFICATION_KINDS,
  TOOL_GROUPS,
  type AppState,
  type BridgeApi,
  type BridgeError,
  type BridgeMethodName,
  type ClientChange,
  type ClientId,
  type ClientView,
  type ProfileView,
  type RequestOf,
  type Result,
  type SandboxView,
  type ValueOf,
  type ViewName,
  type ViewTarget,
} from '../../preload/contract.ts';

/**
 * A typed double of the window's bridge, for the renderer's browser tests. `bridge` is checked with
 * `satisfies BridgeApi`, so a change to the contract that the fake does not follow is a compile error.
 * It behaves like a small, consistent main process (a stop makes the sandbox `stopped`, a connect marks the
 * client connected...) and records every call. Tests drive it through `controls`.
 * No Node imports: it is bundled for the browser and installed as `window.bridge` (test/e2e-web/).
 */

export interface RecordedCall {
  method: BridgeMethodName;
  request: unknown;
}

/** Where the fake says the log file is (the window shows it). */
export const FAKE_LOG_FILE = '/home/ada/.config/Daytona Tray/logs/daytona-tray.log';

export interface FakeBridgeControls {
  /** The fake's current snapshot. */
  state(): AppState;
  /** Merges `patch` into the snapshot (shallow), bumps the revision and tells every listener. */
  emitState(patch: Partial<AppState>): void;
  /** Hands listeners `snapshot` as it is, without touching the fake's state (an out-of-order delivery). */
  deliver(snapshot: AppState): void;
  /** Asks the window to show a view, as the tray menu does, or a sandbox there, as a notification's click does. */
  showView(view: ViewName, sandboxId?: string): void;
  /** The next call of `method` fails with this error (default: a `failed` error naming the method). */
  failNext(method: BridgeMethodName, error?: Partial<BridgeError>): void;
  /** The next call of `method` stays pending until `release(method)` (to see progress in the window). */
  holdNext(method: BridgeMethodName): void;
  release(method: BridgeMethodName): void;
  /** Every call so far, in order, with its request. */
  calls: RecordedCall[];
  callsOf(method: BridgeMethodName): unknown[];
  /** Whether the sandbox runs a desktop (computer use): captureDesktop answers with a picture only for these. None by default. */
  setDesktop(id: string, running: boolean): void;
  /** Subscribed listeners per event (to check the window unsubscribes). */
  listenerCount(): { onStateChanged: number; onShowView: number };
}

export interface FakeBridge {
  bridge: BridgeApi;
  controls: FakeBridgeControls;
}

const HOUR = 3_600_000;
/** A 32x24 JPEG (a plain blue desktop), what captureDesktop answers for a sandbox whose desktop runs. */
export const FAKE_DESKTOP_JPEG =
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAYACADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAX/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAQF/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AggNNKAAAAAA//9k=';
/** The fake's home is /home/ada: its default transfer folder, and what its folder picker picks. */
export const DEFAULT_TRANSFER_FOLDER = '/home/ada/Downloads/Daytona';
export const PICKED_FOLDER = '/home/ada/Projects/exchange';

/** A sandbox with plausible defaults; `at` anchors its times (default: now). */
export function sampleSandbox(overrides: Partial<SandboxView> & Pick<SandboxView, 'id'>, at: number = Date.now()): SandboxView {
  return {
    name: overrides.id,
    state: 'started',
    cpu: 1,
    gpu: 0,
    memory: 1,
    disk: 3,
    createdAt: new Date(at - 2 * HOUR).toISOString(),
    lastActivityAt: new Date(at - 5 * 60_000).toISOString(),
    autoStopInterval: 15,
    labels: {},
    notIsolated: false,
    ...overrides,
  };
}

const CLIENT_NAMES: Record<ClientId, string> = {
  'claude-desktop': 'Claude Desktop',
  'claude-code': 'Claude Code',
  cursor: 'Cursor',
  windsurf: 'Windsurf',
  vscode: 'VS Code',
  codex: 'Codex CLI',
  goose: 'Goose',
  continue: 'Continue',
  zed: 'Zed',
  cline: 'Cline (VS Code)',
  'cline-cursor': 'Cline (Cursor)',
  gemini: 'Gemini CLI',
  qwen: 'Qwen Code',
  opencode: 'OpenCode',
  'copilot-cli': 'GitHub Copilot CLI',
  kiro: 'Kiro',
  'lm-studio': 'LM Studio',
  'amazon-q': 'Amazon Q Developer',
  crush: 'Crush',
  jetbrains: 'JetBrains AI Assistant',
};

/** The hints main/core/clients gives (kept in step by hand: they are only shown, never parsed). */
const APPLY_HINTS: Record<ClientId, string> = {
  'claude-desktop': 'Quit Claude Desktop completely (also from the tray or menu bar) and open it again to load the change.',
  'claude-code': 'Start a new Claude Code session to load the change (check it with /mcp).',
  cursor: 'In Cursor, open Settings > MCP and refresh the server list (or restart Cursor).',
  windsurf: 'In Windsurf, press Refresh in the MCP panel (Cascade > MCP servers).',
  vscode: 'In VS Code, run "MCP: List Servers" (or reload the window) to load the change.',
  codex: 'Start a new Codex session to load the change (check it with `codex mcp list`).',
  goose: 'Start a new Goose session (or restart Goose Desktop) to load the change.',
  continue: 'Continue reloads config.yaml by itself; if the server does not show, reload the editor window.',
  zed: 'Zed reloads its settings by itself; check the server in the Agent panel settings (Context Servers).',
  cline: 'Cline watches its MCP settings file; open its MCP Servers view to see the server (or reload the window).',
  'cline-cursor': 'Cline watches its MCP settings file; open its MCP Servers view to see the server (or reload the window).',
  gemini: 'Start a new Gemini CLI session to load the change (check it with `gemini mcp list` or /mcp).',
  qwen: 'Start a new Qwen Code session to load the change (check it with `qwen mcp list` or /mcp).',
  opencode: 'Start OpenCode again to load the change (check it with `opencode mcp list`).',
  'copilot-cli': 'Start a new Copilot CLI session to load the change (check it with /mcp).',
  kiro: 'Kiro reloads mcp.json by itself; check the server in the Kiro panel (MCP servers).',
  'lm-studio': 'LM Studio reloads mcp.json by itself; enable the server in a chat (Program > Integrations).',
  'amazon-q': 'Start a new Amazon Q chat (q chat, or reload the IDE window) to load the change.',
  crush: 'Start Crush again to load the change.',
  jetbrains:
    'In your JetBrains IDE, open Settings | Tools | AI Assistant | Model Context Protocol (MCP), click Add, choose "As JSON" and paste.',
};

export function sampleClient(id: ClientId, overrides: Partial<ClientView> = {}): ClientView {
  return {
    id,
    name: CLIENT_NAMES[id],
    installed: true,
    connected: false,
    entry: 'absent',
    current: false,
    configPath: `/home/ada/.config/${id}/mcp.json`,
    applyHint: APPLY_HINTS[id],
    tools: id === 'cursor' ? TOOL_GROUPS.filter((group) => group !== 'computer-use') : [...TOOL_GROUPS],
    ...(id === 'cursor' ? { toolCap: { limit: 40, source: 'https://docs.cursor.com/context/model-context-protocol' } } : {}),
    ...overrides,
  };
}

/** A signed-out cloud user with three sandboxes, a running MCP server and a mix of clients. */
export function sampleState(overrides: Partial<AppState> = {}, at: number = Date.now()): AppState {
  return {
    revision: 1,
    app: { version: '0.1.0', platform: 'linux', unavailable: [] },
    firstRun: false,
    profile: {
      name: 'cloud',
      kind: 'cloud',
      apiUrl: 'https://app.daytona.io/api',
      apiKey: { set: true, suffix: '7f3a', source: 'keychain' },
      profiles: [
        { name: 'cloud', kind: 'cloud', active: true },
        { name: 'local', kind: 'local', active: false },
      ],
    },
    account: { state: 'signed-out' },
    sandboxes: [
      sampleSandbox(
        {
          id: 'sbx-web-7c1f',
          name: 'web-preview',
          cpu: 2,
          memory: 4,
          disk: 10,
          autoStopAt: new Date(at + 12 * 60_000).toISOString(),
          hourlyUsd: 0.1663,
        },
        at,
      ),
      sampleSandbox(
        {
          id: 'sbx-data-91ab',
          name: 'data-cleanup',
          state: 'stopped',
          createdAt: new Date(at - 26 * HOUR).toISOString(),
          hourlyUsd: 0.0003,
        },
        at,
      ),
      sampleSandbox(
        {
          id: 'sbx-build-04de',
          name: 'build-runner',
          state: 'error',
          errorReason: 'The sandbox ran out of disk space.',
          hourlyUsd: 0.0003,
        },
        at,
      ),
    ],
    watcher: { state: 'running', events: 'live', lastListingAt: at },
    billing: {
      mode: 'cloud',
      label: 'Daytona Cloud',
      burn: {
        perHourUsd: 0.1669,
        perDayUsd: 4.0056,
        running: 1,
        diskOnly: 2,
        gpuNotPriced: 0,
        todayUsd: 1.27,
        todaySince: new Date(at - 8 * HOUR).toISOString(),
      },
      spend: { state: 'ok', periodUsd: 18.42, from: new Date(at - 10 * 24 * HOUR).toISOString(), to: new Date(at).toISOString() },
      balance: { state: 'sign-in', message: 'Sign in to see balance' },
      organizationId: 'org-1',
      creditsDepleted: false,
      suspensionReason: undefined,
    },
    server: { state: 'running', since: at - HOUR, port: 49213, url: 'http://127.0.0.1:49213/mcp', pid: 4242, failures: 0 },
    clients: [
      sampleClient('claude-desktop'),
      sampleClient('claude-code', { connected: true, entry: 'ours', current: true }),
      sampleClient('cursor', { installed: false }),
      sampleClient('windsurf', { connected: true, entry: 'ours', current: true }),
      sampleClient('vscode', { installed: false }),
    ],
    settings: {
      toolGroups: Object.fromEntries(TOOL_GROUPS.map((group) => [group, true])) as AppState['settings']['toolGroups'],
      notifications: Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, true])) as AppState['settings']['notifications'],
      lowBalanceThresholdCents: 500,
      startAtLogin: false,
      mcpPort: 0,
      transferFolder: { path: DEFAULT_TRANSFER_FOLDER, chosen: false },
      sharedGraceMinutes: 10,
      warmPoolSize: 2,
    },
    ...overrides,
  };
}

/** The state of a first start: nothing chosen yet, the local provider running by default. */
export function firstRunState(at: number = Date.now()): AppState {
  const base = sampleState({}, at);
  return {
    ...base,
    firstRun: true,
    profile: {
      name: 'local',
      kind: 'local',
      apiKey: { set: false },
      isolation: 'bubblewrap',
      profiles: [{ name: 'local', kind: 'local', active: true }],
    },
    account: { state: 'unavailable', reason: 'The local provider has no account.' },
    sandboxes: [],
    billing: {
      ...base.billing,
      mode: 'local',
      label: 'local — free',
      spend: { state: 'not-applicable' },
      balance: { state: 'not-applicable' },
    },
  };
}

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = (code: string, message: string): Result<never> => ({ ok: false, error: { code, message } });

export function createFakeBridge(initial: AppState = sampleState()): FakeBridge {
  let state: AppState = structuredClone(initial);
  const stateListeners = new Set<(state: AppState) => void>();
  const viewListeners = new Set<(target: ViewTarget) => void>();
  const failures = new Map<BridgeMethodName, BridgeError>();
  const holds = new Map<BridgeMethodName, { promise: Promise<void>; release: () => void } | 'armed'>();
  const calls: RecordedCall[] = [];
  const desktops = new Set<string>();

  function emit(patch: Partial<AppState>): void {
    state = { ...state, ...structuredClone(patch), revision: state.revision + 1 };
    for (const listener of stateListeners) listener(structuredClone(state));
  }

  /** Records the call, then applies failNext/holdNext before the method's own behaviour. */
  async function call<K extends BridgeMethodName>(
    method: K,
    request: RequestOf<K>,
    behave: () => Result<ValueOf<K>>,
  ): Promise<Result<ValueOf<K>>> {
    calls.push({ method, request: structuredClone(request) });
    if (holds.get(method) === 'armed') {
      let release!: () => void;
      const promise = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.set(method, { promise, release });
      await promise;
      holds.delete(method);
    }
    await Promise.resolve();
    const failure = failures.get(method);
    if (failure) {
      failures.delete(method);
      return { ok: false, error: failure };
    }
    // Like IPC: the window gets a copy, never the fake's own objects.
    return structuredClone(behave());
  }

  const findSandbox = (id: string) => state.sandboxes.find((sandbox) => sandbox.id === id);
  const setSandbox = (id: string, change: Partial<SandboxView>) =>
    emit({ sandboxes: state.sandboxes.map((sandbox) => (sandbox.id === id ? { ...sandbox, ...change } : sandbox)) });
  const setProfile = (profile: ProfileView) => emit({ profile, firstRun: false });
  const clientChange = (id: ClientId, action: ClientChange['action'], dryRun: boolean): ClientChange => ({
    id,
    name: CLIENT_NAMES[id],
    action,
    dryRun,
    file: state.clients.find((client) => client.id === id)?.configPath ?? '',
    via: 'file',
    diff:
      action === 'connected'
        ? `--- mcp.json\n+++ mcp.json\n@@ -1,3 +1,9 @@\n {\n   "mcpServers": {\n+    "daytona": {\n+      "command": "/opt/Daytona Tray/daytona-tray",\n+      "args": ["/opt/Daytona Tray/resources/bridge.js"],\n+      "env": { "ELECTRON_RUN_AS_NODE": "1" }\n+    }\n   }\n }\n`
        : `--- mcp.json\n+++ mcp.json\n@@ -1,9 +1,3 @@\n {\n   "mcpServers": {\n-    "daytona": {\n-      "command": "/opt/Daytona Tray/daytona-tray",\n-      "args": ["/opt/Daytona Tray/resources/bridge.js"],\n-      "env": { "ELECTRON_RUN_AS_NODE": "1" }\n-    }\n   }\n }\n`,
    notes: [],
    applyHint: APPLY_HINTS[id],
  });
  const setClient = (id: ClientId, change: Partial<ClientView>) =>
    emit({ clients: state.clients.map((client) => (client.id === id ? { ...client, ...change } : client)) });

  const bridge = {
    getState: () => call('getState', undefined, () => ok(state)),

    saveApiKey: (request) =>
      call('saveApiKey', request, () => {
        const apiKey = request.apiKey.trim();
        const profile: ProfileView = {
          name: request.profile ?? 'cloud',
          kind: 'cloud',
          apiUrl: request.apiUrl ?? 'https://app.daytona.io/api',
          ...(request.target ? { target: request.target } : {}),
          apiKey: { set: true, suffix: apiKey.slice(-4), source: 'keychain' },
          profiles: [
            { name: request.profile ?? 'cloud', kind: 'cloud', active: true },
            { name: 'local', kind: 'local', active: false },
          ],
        };
        setProfile(profile);
        emit({
          account: { state: 'signed-out' },
          billing: {
            ...state.billing,
            mode: 'cloud',
            label: 'Daytona Cloud',
            balance: { state: 'sign-in', message: 'Sign in to see balance' },
          },
        });
        return ok(profile);
      }),
    removeApiKey: (request) =>
      call('removeApiKey', request, () => {
        const profile: ProfileView = {
          ...state.profile,
          apiKey: { set: false },
          problem: "No API key is stored for profile 'cloud'. Add one in Settings.",
        };
        emit({ profile, account: { state: 'signed-out' } });
        return ok(profile);
      }),
    useLocalProvider: () =>
      call('useLocalProvider', undefined, () => {
        const profile: ProfileView = {
          name: 'local',
          kind: 'local',
          apiKey: { set: false },
          isolation: 'bubblewrap',
          profiles: state.profile.profiles.map((p) => ({ ...p, active: p.name === 'local' })),
        };
        setProfile(profile);
        emit({
          account: { state: 'unavailable', reason: 'The local provider has no account.' },
          billing: {
            ...state.billing,
            mode: 'local',
            label: 'local — free',
            spend: { state: 'not-applicable' },
            balance: { state: 'not-applicable' },
          },
        });
        return ok(profile);
      }),
    switchProfile: (request) =>
      call('switchProfile', request, () => {
        const target = state.profile.profiles.find((p) => p.name === request.profile);
        if (!target) return fail('not-found', `There is no profile '${request.profile}'.`);
        const profile: ProfileView = {
          ...state.profile,
          name: target.name,
          kind: target.kind,
          profiles: state.profile.profiles.map((p) => ({ ...p, active: p.name === target.name })),
        };
        emit({ profile });
        return ok(profile);
      }),
    updateProfile: (request) =>
      call('updateProfile', request, () => {
        const { target: _target, ...rest } = state.profile;
        const profile: ProfileView = {
          ...rest,
          ...(request.apiUrl ? { apiUrl: request.apiUrl } : {}),
          ...(request.target === null
            ? {}
            : request.target !== undefined
              ? { target: request.target }
              : _target !== undefined
                ? { target: _target }
                : {}),
        };
        emit({ profile });
        return ok(profile);
      }),
    openDashboard: (request) => call('openDashboard', request, () => ok(undefined)),

    signIn: () =>
      call('signIn', undefined, () => {
        const account = { state: 'signed-in', email: 'ada@example.com', organizationName: 'Ada Labs', organizationId: 'org-1' } as const;
        emit({
          account,
          billing: {
            ...state.billing,
            balance: {
              state: 'ok',
              cents: 4250,
              usd: 42.5,
              spentThisPeriodUsd: 18.42,
              hoursLeft: 42.5 / Math.max(state.billing.burn.perHourUsd, 1e-9),
              billingType: 'prepaid',
              updatedAt: new Date().toISOString(),
            },
          },
        });
        return ok(account);
      }),
    cancelSignIn: () => call('cancelSignIn', undefined, () => ok(undefined)),
    signOut: () =>
      call('signOut', undefined, () => {
        emit({
          account: { state: 'signed-out' },
          billing: { ...state.billing, balance: { state: 'sign-in', message: 'Sign in to see balance' } },
        });
        return ok({ state: 'signed-out' } as const);
      }),

    startSandbox: (request) =>
      call('startSandbox', request, () => {
        if (!findSandbox(request.id)) return fail('not-found', `There is no sandbox ${request.id}.`);
        setSandbox(request.id, {
          state: 'started',
          lastActivityAt: new Date().toISOString(),
          autoStopAt: new Date(Date.now() + 15 * 60_000).toISOString(),
        });
        return ok(undefined);
      }),
    stopSandbox: (request) =>
      call('stopSandbox', request, () => {
        const sandbox = findSandbox(request.id);
        if (!sandbox) return fail('not-found', `There is no sandbox ${request.id}.`);
        const { autoStopAt: _autoStopAt, ...rest } = sandbox;
        emit({ sandboxes: state.sandboxes.map((s) => (s.id === request.id ? { ...rest, state: 'stopped' } : s)) });
        return ok(undefined);
      }),
    deleteSandbox: (request) =>
      call('deleteSandbox', request, () => {
        if (!findSandbox(request.id)) return fail('not-found', `There is no sandbox ${request.id}.`);
        emit({ sandboxes: state.sandboxes.filter((sandbox) => sandbox.id !== request.id) });
        return ok(undefined);
      }),
    openPreview: (request) =>
      call('openPreview', request, () => {
        const sandbox = findSandbox(request.id);
        if (!sandbox) return fail('not-found', `There is no sandbox ${request.id}.`);
        if (sandbox.state !== 'started') return fail('unsupported', 'Start the sandbox first: a preview needs it running.');
        return ok({ url: `https://${request.port}-${request.id}.proxy.daytona.works` });
      }),
    openTerminal: (request) =>
      call('openTerminal', request, () => {
        const sandbox = findSandbox(request.id);
        if (!sandbox) return fail('not-found', `There is no sandbox ${request.id}.`);
        if (sandbox.state !== 'started') return fail('unsupported', 'Start the sandbox first: a terminal needs it running.');
        return ok({ emulator: 'xterm', via: 'shell' as const });
      }),
    refreshSandboxes: () => call('refreshSandboxes', undefined, () => ok(undefined)),
    captureDesktop: (request) =>
      call('captureDesktop', request, () => {
        const sandbox = findSandbox(request.id);
        if (!sandbox) return fail('not-found', `There is no sandbox ${request.id}.`);
        if (sandbox.state !== 'started' || !desktops.has(request.id)) return ok({ running: false });
        // The picture's size as the main side reports it (the fake's image is smaller; the window scales it).
        return ok({
          running: true,
          jpegBase64: FAKE_DESKTOP_JPEG,
          ...(request.size === 'thumbnail' ? { width: 240, height: 180 } : { width: 1024, height: 768 }),
        });
      }),
    copyText: (request) => call('copyText', request, () => ok(undefined)),

    refreshBalance: () => call('refreshBalance', undefined, () => ok(state.billing)),

    connectClient: (request) =>
      call('connectClient', request, () => {
        const client = state.clients.find((c) => c.id === request.id);
        if (!client?.installed) return fail('client-setup', `${CLIENT_NAMES[request.id]} is not installed. Install it, then connect.`);
        setClient(request.id, { connected: true, entry: 'ours', current: true, ...(request.tools ? { tools: request.tools } : {}) });
        return ok(clientChange(request.id, 'connected', false));
      }),
    disconnectClient: (request) =>
      call('disconnectClient', request, () => {
        setClient(request.id, { connected: false, entry: 'absent', current: false });
        return ok(clientChange(request.id, 'disconnected', false));
      }),
    previewClientSetup: (request) =>
      call('previewClientSetup', request, () =>
        ok(clientChange(request.id, request.action === 'connect' ? 'connected' : 'disconnected', true)),
      ),
    refreshClients: () => call('refreshClients', undefined, () => ok(state.clients)),

    restartServer: () =>
      call('restartServer', undefined, () => {
        emit({ server: { ...state.server, state: 'running', since: Date.now(), failures: 0, pid: (state.server.pid ?? 4000) + 1 } });
        return ok(undefined);
      }),
    openLogFile: () =>
      call('openLogFile', undefined, () =>
        state.app.unavailable.includes('open-files')
          ? fail('unsupported', `The log file is ${FAKE_LOG_FILE}; read it with 'daytona-tray logs --follow'.`)
          : ok({ path: FAKE_LOG_FILE }),
      ),
    readServerLog: (request) =>
      call('readServerLog', request, () =>
        ok({
          lines: [
            '2026-05-04T09:12:01.204Z supervisor: mcp: starting (port 49213)',
            '2026-05-04T09:12:01.811Z mcp: listening on http://127.0.0.1:49213/mcp',
            '2026-05-04T09:12:02.020Z mcp: profile cloud (https://app.daytona.io/api), key ***',
            '2026-05-04T09:14:40.377Z mcp: tools/call create_sandbox -> sbx-web-7c1f (1.9 s)',
            '2026-05-04T09:15:02.993Z mcp: tools/call execute_command sbx-web-7c1f (0.3 s)',
          ].slice(-(request.limit ?? 200)),
          file: FAKE_LOG_FILE,
        }),
      ),

    updateSettings: (request) =>
      call('updateSettings', request, () => {
        const settings = {
          ...state.settings,
          ...(request.lowBalanceThresholdCents !== undefined ? { lowBalanceThresholdCents: request.lowBalanceThresholdCents } : {}),
          ...(request.startAtLogin !== undefined ? { startAtLogin: request.startAtLogin } : {}),
          ...(request.mcpPort !== undefined ? { mcpPort: request.mcpPort } : {}),
          ...(request.sharedGraceMinutes !== undefined ? { sharedGraceMinutes: request.sharedGraceMinutes } : {}),
          ...(request.warmPoolSize !== undefined ? { warmPoolSize: request.warmPoolSize } : {}),
          ...(request.transferFolder !== undefined
            ? { transferFolder: { path: request.transferFolder ?? DEFAULT_TRANSFER_FOLDER, chosen: request.transferFolder !== null } }
            : {}),
          toolGroups: { ...state.settings.toolGroups, ...request.toolGroups },
          notifications: { ...state.settings.notifications, ...request.notifications },
        };
        emit({ settings });
        return ok(settings);
      }),
    pickTransferFolder: () => call('pickTransferFolder', undefined, () => ok({ path: PICKED_FOLDER })),

    onStateChanged: (listener) => {
      stateListeners.add(listener);
      return () => {
        stateListeners.delete(listener);
      };
    },
    onShowView: (listener) => {
      viewListeners.add(listener);
      return () => {
        viewListeners.delete(listener);
      };
    },
  } satisfies BridgeApi;

  const controls: FakeBridgeControls = {
    state: () => structuredClone(state),
    emitState: emit,
    deliver(snapshot) {
      for (const listener of stateListeners) listener(structuredClone(snapshot));
    },
    showView(view, sandboxId) {
      for (const listener of viewListeners) listener({ view, ...(sandboxId ? { sandboxId } : {}) });
    },
    failNext(method, error = {}) {
      failures.set(method, { code: error.code ?? 'failed', message: error.message ?? `${method} failed (fake). Try again.` });
    },
    holdNext(method) {
      holds.set(method, 'armed');
    },
    release(method) {
      const hold = holds.get(method);
      if (hold && hold !== 'armed') hold.release();
    },
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method).map((c) => c.request),
    setDesktop(id, running) {
      if (running) desktops.add(id);
      else desktops.delete(id);
    },
    listenerCount: () => ({ onStateChanged: stateListeners.size, onShowView: viewListeners.size }),
  };

  return { bridge, controls };
}

/** Marks the sandbox as a local one running without bubblewrap, the way the local provider labels it. */
export function notIsolated(sandbox: SandboxView): SandboxView {
  return { ...sandbox, labels: { ...sandbox.labels, [ISOLATION_LABEL]: 'none' }, notIsolated: true };
}
