/**
 * The one typed contract between the window (renderer) and the main process. The preload exposes exactly
 * this as `window.bridge`; the renderer reaches it only through renderer/src/bridge.ts; main registers one
 * handler per method and parses every request with preload/contract-schemas.ts.
 *
 * Rules of the contract:
 * - Methods are named by intent, take at most one plain-object request, and resolve to a `Result`: errors
 *   cross as values (Electron drops custom error fields across `invoke`, and the window must show what to
 *   do next). They never reject for an expected failure.
 * - Events (`on…`) hand the callback only the payload (never Electron's event object) and return an
 *   unsubscribe function.
 * - The API key crosses in one direction only (`saveApiKey`); the window sees "set / not set" and a masked
 *   suffix. No token ever crosses.
 * - Everything is structured-clone friendly (no class instances, no functions, no Maps, no Infinity where
 *   JSON matters: `hoursLeft` may be Infinity, which structured clone keeps).
 * - Changes are additive only: new optional fields, new methods, new events. A renamed or removed field is
 *   a compile error in the fake (test/fakes/fake-bridge.ts) and in main's handlers, on purpose.
 *
 * This file has no imports and no runtime dependencies: it compiles for the renderer (DOM, no Node types)
 * and for main. The shapes mirror main/core types; contract-schemas.ts checks at compile time that the
 * core types still fit.
 */

// ---------------------------------------------------------------------------------------------------------
// Results and errors

/** Known error codes; main may send others (the window then shows the message as it is). */
export type BridgeErrorCode =
  /** The request did not parse (a bug in the window, or a foreign sender). */
  | 'bad-request'
  /** No sandbox, client or profile by that id/name. */
  | 'not-found'
  /** The API key was refused by Daytona (401). */
  | 'rejected'
  /** The key is valid but may not list sandboxes (403). */
  | 'forbidden'
  /** The API could not be reached, or did not answer in time. */
  | 'unreachable'
  | 'timeout'
  /** The OS keychain is locked or missing. */
  | 'keychain'
  /** A client config file could not be changed (malformed, read-only, a foreign `daytona` entry...). */
  | 'client-setup'
  /** Not possible in the current state (sign-in on the local provider, preview of a stopped sandbox...). */
  | 'unsupported'
  /** Another action on the same thing is still running. */
  | 'busy'
  | 'cancelled'
  /** A value the user typed cannot be used (a settings field); the message says why and what would do. */
  | 'invalid'
  /** Anything else; the message says what happened and what to do. */
  | 'failed';

export interface BridgeError {
  code: BridgeErrorCode | (string & {});
  /** A sentence for the user that says what to do next. Never contains a secret. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: BridgeError };

// ---------------------------------------------------------------------------------------------------------
// App state: one snapshot the window and the tray menu both render

/** The MCP server's tool groups, each switched on or off in settings. The one definition: main/core and main/mcp import it from here. */
export const TOOL_GROUPS = ['sandbox', 'files', 'process', 'git', 'preview', 'computer-use'] as const;
export type ToolGroup = (typeof TOOL_GROUPS)[number];

/**
 * The settings file's notification switches, one per kind of alert. The one definition: main/core imports it from
 * here, and an alert's kind is its switch in kebab case (main/core/alerts/alert-types.ts).
 */
export const NOTIFICATION_KINDS = [
  'autoStop',
  'autoPause',
  'autoArchive',
  'autoDelete',
  'ttlExpired',
  'sandboxError',
  'lowBalance',
  'creditsDepleted',
  'serverFailed',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The AI clients Daytona Tray can connect (main/core/clients has one module per id). */
export const CLIENT_IDS = [
  'claude-desktop',
  'claude-code',
  'cursor',
  'windsurf',
  'vscode',
  'codex',
  'goose',
  'continue',
  'zed',
  'cline',
  'cline-cursor',
  'gemini',
  'qwen',
  'opencode',
  'copilot-cli',
  'kiro',
  'lm-studio',
  'amazon-q',
  'crush',
  'jetbrains',
] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

/** The label the local provider puts on sandboxes that run without bubblewrap (value `none`). */
export const ISOLATION_LABEL = 'daytona-tray/isolation';
/** Set to 'shared' by the local provider on a sandbox that uses the host's network (no namespace of its own). */
export const NETWORK_LABEL = 'daytona-tray/network';

export interface AppState {
  /** Increases with every snapshot; a window can drop a snapshot older than one it already has. */
  revision: number;
  app: {
    version: string;
    platform: 'darwin' | 'win32' | 'linux' | (string & {});
    /** What the desktop this app runs in cannot do (the web shell has no tray icon): the window says so instead of a dead control. */
    unavailable: DesktopFeature[];
  };
  /** True until the user has chosen "Use my Daytona account" or "Try locally" once. */
  firstRun: boolean;
  profile: ProfileView;
  account: AccountView;
  sandboxes: SandboxView[];
  watcher: WatcherView;
  billing: BillingView;
  server: ServerView;
  /** Every supported client, in the order the window lists them (installed or not). */
  clients: ClientView[];
  settings: SettingsView;
}

// --- Profile and key -------------------------------------------------------------------------------------

export interface ProfileView {
  /** The active profile's name. */
  name: string;
  /** `unknown`: a profile kind this version cannot use (written by a newer version). */
  kind: 'cloud' | 'local' | 'unknown';
  /** Cloud: the API URL (default https://app.daytona.io/api). */
  apiUrl?: string;
  /** Cloud: region for new sandboxes; absent = the organization's default. */
  target?: string;
  /** Never the key itself. */
  apiKey: ApiKeyView;
  /** Why the profile cannot be used right now (no key, keychain locked...), in words that say what to do. */
  problem?: string;
  /** Local: whether sandboxes run under bubblewrap (`none`: plain processes, not isolated). */
  isolation?: 'bubblewrap' | 'none';
  /** Every profile in the settings, for the profile picker. */
  profiles: ProfileSummary[];
}

export interface ApiKeyView {
  set: boolean;
  /** The last 4 characters when set (the window shows `••••` + suffix). */
  suffix?: string;
  /** `env`: DAYTONA_API_KEY from the environment wins over the keychain (it cannot be changed here). */
  source?: 'keychain' | 'env';
}

export interface ProfileSummary {
  name: string;
  kind: 'cloud' | 'local' | 'unknown';
  active: boolean;
}

// --- Sign-in (wallet balance) ----------------------------------------------------------------------------

export type AccountView =
  /** Sign-in is not offered: the local provider, or a self-hosted API without OIDC. */
  | { state: 'unavailable'; reason: string }
  /** `message`: why the last session ended (expired, revoked), if it did. */
  | { state: 'signed-out'; message?: string }
  /** A browser window is open for the user to sign in. */
  | { state: 'signing-in' }
  | { state: 'signed-in'; email?: string; name?: string; organizationId?: string; organizationName?: string; expiresAt?: string };

// --- Sandboxes -------------------------------------------------------------------------------------------

export interface SandboxView {
  id: string;
  name: string;
  /** Daytona's state as sent (`started`, `stopped`, `error`, `archived`...; unknown states kept as text). */
  state: string;
  desiredState?: string;
  cpu: number;
  gpu: number;
  /** GiB. */
  memory: number;
  /** GiB. */
  disk: number;
  /** ISO 8601. */
  createdAt?: string;
  lastActivityAt?: string;
  /** Minutes; 0 = never. */
  autoStopInterval?: number;
  autoArchiveInterval?: number;
  autoDeleteInterval?: number;
  /**
   * ISO 8601: when it stops if it stays idle (main computes it, since the local provider may run on a
   * scaled clock). Absent when not running or auto-stop is off.
   */
  autoStopAt?: string;
  /** Minutes idle before it pauses; 0 or absent = never. */
  autoPauseInterval?: number;
  /** ISO 8601: when it pauses if it stays idle (as autoStopAt). */
  autoPauseAt?: string;
  /** ISO 8601: when its TTL deletes it, whatever its state. */
  autoDestroyAt?: string;
  errorReason?: string;
  target?: string;
  labels: Record<string, string>;
  /** A local sandbox that runs without bubblewrap (see ISOLATION_LABEL). */
  notIsolated: boolean;
  /** A local sandbox on the host's network rather than one of its own (see NETWORK_LABEL). */
  sharedNetwork?: boolean;
  /** This sandbox's cost per hour in its state at Daytona's rates (local: what it would cost). */
  hourlyUsd?: number;
}

export interface WatcherView {
  state: 'starting' | 'running' | 'stopped' | 'unauthorized';
  events: 'off' | 'connecting' | 'live' | 'down';
  /** Epoch ms of the last full listing. */
  lastListingAt?: number;
  /** The worst current problem; the window shows it above the list (the list keeps its last contents). */
  problem?: { kind: 'unauthorized' | 'forbidden' | 'rate-limited' | 'server' | 'network' | 'events' | (string & {}); message: string };
}

// --- Billing (mirrors main/core/billing BillingView) -----------------------------------------------------

export interface BurnView {
  perHourUsd: number;
  perDayUsd: number;
  /** Sandboxes paying for compute. */
  running: number;
  /** Sandboxes paying for disk only. */
  diskOnly: number;
  /** Running sandboxes with GPUs (their GPU cost is not in the estimate). */
  gpuNotPriced: number;
  /** Spent since `todaySince` at the live rate. */
  todayUsd: number;
  /** ISO 8601. */
  todaySince: string;
}

export type SpendView =
  { state: 'ok'; periodUsd: number; from: string; to: string } | { state: 'unavailable'; message: string } | { state: 'not-applicable' };

export type BalanceView =
  /** `hoursLeft` is Infinity when nothing burns. */
  | {
      state: 'ok';
      cents: number;
      usd: number;
      spentThisPeriodUsd: number | undefined;
      hoursLeft: number;
      billingType: string | undefined;
      updatedAt: string;
    }
  | { state: 'sign-in'; message: string }
  | { state: 'unavailable'; message: string }
  | { state: 'not-applicable' };

export interface BillingView {
  mode: 'cloud' | 'local';
  /** "local — free" for the local provider. */
  label: string;
  burn: BurnView;
  spend: SpendView;
  balance: BalanceView;
  organizationId: string | undefined;
  creditsDepleted: boolean;
  suspensionReason: string | undefined;
}

// --- MCP server ------------------------------------------------------------------------------------------

export type ServerState = 'stopped' | 'starting' | 'running' | 'restarting' | 'failed';

export interface ServerView {
  state: ServerState;
  /** Why it is restarting or failed (exit code, last lines; secrets removed). */
  reason?: string;
  /** Epoch ms of the next start (restarting, failed). */
  retryAt?: number;
  /** Epoch ms when the current state began. */
  since: number;
  /** The port on 127.0.0.1 while running. */
  port?: number;
  /** http://127.0.0.1:<port>/mcp while running. */
  url?: string;
  pid?: number;
  /** Failures in a row. */
  failures: number;
  /** The local provider, when the local profile is active. */
  localProvider?: { state: ServerState; port?: number; reason?: string };
}

// --- AI clients ------------------------------------------------------------------------------------------

export interface ClientView {
  id: ClientId;
  name: string;
  installed: boolean;
  /** Our entry is there and what it starts exists. */
  connected: boolean;
  /** `foreign`: a `daytona` entry someone else wrote (connecting replaces it only when forced). */
  entry: 'absent' | 'ours' | 'foreign';
  /** The entry is exactly what connecting would write now (false: connect again to update it). */
  current: boolean;
  configPath: string;
  /** What to do after a change for the client to pick it up ("Restart Claude Desktop to apply"). */
  applyHint: string;
  /** Why the status may be incomplete (unreadable file...), in words the user can act on. */
  problem?: string;
  /** The tool groups the client gets: what our entry asks for, or what connecting would ask for. */
  tools: ToolGroup[];
  /** The client's documented cap on tools over all its servers (Cursor: 40), and where it is documented. */
  toolCap?: { limit: number; source: string };
}

/** The outcome of connect/disconnect, or what it would do (dry run). */
export interface ClientChange {
  id: ClientId;
  name: string;
  action: 'connected' | 'updated' | 'unchanged' | 'disconnected' | 'absent';
  dryRun: boolean;
  file: string;
  via: 'file' | 'claude-cli' | 'cli' | 'clipboard';
  /** JetBrains: the JSON copied to the clipboard for the user to paste. */
  clipboard?: string;
  backup?: string;
  /** Unified diff of the client's config file. */
  diff?: string;
  /** Commands run (or that would run). */
  commands?: string[][];
  notes: string[];
  /** Same as ClientView.applyHint. */
  applyHint: string;
}

// --- Settings --------------------------------------------------------------------------------------------

export interface SettingsView {
  toolGroups: Record<ToolGroup, boolean>;
  notifications: Record<NotificationKind, boolean>;
  /** US cents. */
  lowBalanceThresholdCents: number;
  startAtLogin: boolean;
  /** 0 = a free port picked at start. */
  mcpPort: number;
  transferFolder: TransferFolderView;
  /** With no tray running, the server AI clients share stops this many minutes after its last client left. */
  sharedGraceMinutes: number;
  /** Sandboxes the local provider keeps started ahead of need (its warm pool), so a create is instant; 0 = none. */
  warmPoolSize: number;
}

/** The one folder on this computer that AI clients' file_download / file_upload may write to and read from. */
export interface TransferFolderView {
  /** Absolute path. */
  path: string;
  /** The user chose it; false: the default, a `Daytona` folder in Downloads. */
  chosen: boolean;
}

/** Only the fields given change; main answers with the whole new SettingsView. */
export interface SettingsPatch {
  toolGroups?: Partial<Record<ToolGroup, boolean>>;
  notifications?: Partial<Record<NotificationKind, boolean>>;
  lowBalanceThresholdCents?: number;
  startAtLogin?: boolean;
  mcpPort?: number;
  /** An absolute path (or `~/…`); null goes back to the default folder. */
  transferFolder?: string | null;
  /** 0-1440. */
  sharedGraceMinutes?: number;
  /** 0-10; a running local provider resizes its pool at once. */
  warmPoolSize?: number;
}

// --- Server log ------------------------------------------------------------------------------------------

export interface ServerLog {
  /** Oldest first, `<ISO time> <source>: <text>`, secrets already replaced by `***`. */
  lines: string[];
  /** The log file on disk that keeps these lines and older ones (`daytona-tray logs` prints it). */
  file?: string;
}

// --- Computer use ----------------------------------------------------------------------------------------

/** Which picture of a sandbox's desktop: a row's small thumbnail, or the larger view's image. */
export type DesktopFrameSize = 'thumbnail' | 'large';

/** A picture of a sandbox's desktop (computer use), taken when asked. */
export interface DesktopFrame {
  /** False: the sandbox runs no desktop now (no picture; the window shows none and asks again later). */
  running: boolean;
  /** A JPEG, base64 (when running). */
  jpegBase64?: string;
  /** The picture's size in pixels (when running). */
  width?: number;
  height?: number;
}

/** The window's views, for `onShowView` (the tray menu or a notification opening a given place). */
export type ViewName = 'sandboxes' | 'balance' | 'clients' | 'server' | 'settings';

/** Where main asks the window to go: a view, and the sandbox there to scroll to and highlight (a notification about it). */
export interface ViewTarget {
  view: ViewName;
  sandboxId?: string;
}

/** Desktop features a shell may lack (the web shell: no tray icon, no start at login, no opening files, no folder picker). */
export const DESKTOP_FEATURES = ['tray-icon', 'start-at-login', 'open-files', 'folder-picker'] as const;
export type DesktopFeature = (typeof DESKTOP_FEATURES)[number];

// ---------------------------------------------------------------------------------------------------------
// Requests

export interface SandboxRef {
  id: string;
}

export interface SaveApiKeyRequest {
  /** Checked against the API first; stored in the OS keychain only when accepted. */
  apiKey: string;
  /** Default: the active cloud profile's, or https://app.daytona.io/api. */
  apiUrl?: string;
  target?: string;
  /** Default: `cloud`. */
  profile?: string;
}

export interface UpdateProfileRequest {
  /** Default: the active profile. Cloud profiles only. */
  profile?: string;
  apiUrl?: string;
  /** null removes it (the organization's default region). */
  target?: string | null;
}

// ---------------------------------------------------------------------------------------------------------
// The bridge

export interface BridgeMethods {
  /** The current snapshot (the window asks once at start, then follows onStateChanged). */
  getState(): Promise<Result<AppState>>;

  // First run and profile
  /** Checks the key against the API, stores it in the keychain, makes the cloud profile active. */
  saveApiKey(request: SaveApiKeyRequest): Promise<Result<ProfileView>>;
  /** Removes the active (or named) profile's key and sign-in tokens from the keychain. */
  removeApiKey(request: { profile?: string }): Promise<Result<ProfileView>>;
  /** Makes the local provider the active profile (creating it when missing). */
  useLocalProvider(): Promise<Result<ProfileView>>;
  switchProfile(request: { profile: string }): Promise<Result<ProfileView>>;
  updateProfile(request: UpdateProfileRequest): Promise<Result<ProfileView>>;
  /** Opens the Daytona dashboard in the browser (keys: to create an API key; billing: to top up). */
  openDashboard(request: { page: 'home' | 'keys' | 'billing' }): Promise<Result<void>>;

  // Sign-in (wallet balance)
  /** Opens the browser to sign in; resolves once signed in, cancelled or failed. */
  signIn(): Promise<Result<AccountView>>;
  cancelSignIn(): Promise<Result<void>>;
  signOut(): Promise<Result<AccountView>>;

  // Sandboxes
  startSandbox(request: SandboxRef): Promise<Result<void>>;
  stopSandbox(request: SandboxRef): Promise<Result<void>>;
  /** The window confirms first; main deletes without asking again. */
  deleteSandbox(request: SandboxRef): Promise<Result<void>>;
  /** Opens the sandbox's preview URL for `port` in the browser; resolves with the URL opened. */
  openPreview(request: { id: string; port: number }): Promise<Result<{ url: string }>>;
  /**
   * Opens a terminal window on this machine with a shell in the sandbox: the local provider's through
   * `daytona-tray shell <id>`, Daytona Cloud's through SSH access (the command goes to the terminal, never stored).
   * Resolves with the terminal emulator used.
   */
  openTerminal(request: SandboxRef): Promise<Result<{ emulator: string; via: 'shell' | 'ssh' }>>;
  /** Lists the sandboxes now (also reconnects the events after a network problem). */
  refreshSandboxes(): Promise<Result<void>>;
  /**
   * A JPEG of the sandbox's desktop (computer use) through Daytona's SDK, on Daytona Cloud and the local provider alike;
   * `running: false` when it runs none. The window asks only while it is visible, one request per sandbox at a time.
   */
  captureDesktop(request: { id: string; size: DesktopFrameSize }): Promise<Result<DesktopFrame>>;
  /** Writes text to the OS clipboard (a sandbox id; the sandboxed window has no clipboard permission). */
  copyText(request: { text: string }): Promise<Result<void>>;

  // Balance
  refreshBalance(): Promise<Result<BillingView>>;

  // AI clients
  /** `tools`: the groups this client gets from now on (default: those it has, else its preset). */
  connectClient(request: { id: ClientId; force?: boolean; tools?: ToolGroup[] }): Promise<Result<ClientChange>>;
  disconnectClient(request: { id: ClientId; force?: boolean }): Promise<Result<ClientChange>>;
  /** A dry run: what connecting or disconnecting would change (the diff), with nothing written. */
  previewClientSetup(request: { id: ClientId; action: 'connect' | 'disconnect'; tools?: ToolGroup[] }): Promise<Result<ClientChange>>;
  /** Reads every client's status again (after the user installed one). */
  refreshClients(): Promise<Result<ClientView[]>>;

  // MCP server
  restartServer(): Promise<Result<void>>;
  readServerLog(request: { limit?: number }): Promise<Result<ServerLog>>;
  /** Opens the log file in the OS's default app; resolves with its path. Fails (with the path) where the desktop cannot open files. */
  openLogFile(): Promise<Result<{ path: string }>>;

  // Settings
  updateSettings(request: SettingsPatch): Promise<Result<SettingsView>>;
  /** The desktop's folder picker, at the transfer folder; `path` absent when the user cancelled. Saves nothing. */
  pickTransferFolder(): Promise<Result<{ path?: string }>>;
}

export interface BridgeEvents {
  /** Every new snapshot (sandboxes, billing, server, clients, settings, profile all land here). */
  onStateChanged(listener: (state: AppState) => void): () => void;
  /** Main asks the window to show a view (tray "Open Daytona Tray…", a notification's click), maybe at one sandbox. */
  onShowView(listener: (target: ViewTarget) => void): () => void;
}

export type BridgeApi = BridgeMethods & BridgeEvents;
export type BridgeMethodName = keyof BridgeMethods;
export type BridgeEventName = keyof BridgeEvents;

/** The request a method takes (undefined for methods without one). */
export type RequestOf<K extends BridgeMethodName> = Parameters<BridgeMethods[K]>[0];
/** The value a method's Result carries. */
export type ValueOf<K extends BridgeMethodName> = Awaited<ReturnType<BridgeMethods[K]>> extends Result<infer T> ? T : never;
/** The payload an event hands its listener. */
export type EventPayloadOf<K extends BridgeEventName> = Parameters<Parameters<BridgeEvents[K]>[0]>[0];

/** IPC channel of every method (`domain:action`, for ipcMain.handle / ipcRenderer.invoke). */
export const METHOD_CHANNELS = {
  getState: 'state:get',
  saveApiKey: 'profile:save-api-key',
  removeApiKey: 'profile:remove-api-key',
  useLocalProvider: 'profile:use-local',
  switchProfile: 'profile:switch',
  updateProfile: 'profile:update',
  openDashboard: 'app:open-dashboard',
  signIn: 'account:sign-in',
  cancelSignIn: 'account:cancel-sign-in',
  signOut: 'account:sign-out',
  startSandbox: 'sandbox:start',
  stopSandbox: 'sandbox:stop',
  deleteSandbox: 'sandbox:delete',
  openPreview: 'sandbox:open-preview',
  openTerminal: 'sandbox:open-terminal',
  refreshSandboxes: 'sandbox:refresh',
  captureDesktop: 'sandbox:capture-desktop',
  copyText: 'app:copy-text',
  refreshBalance: 'billing:refresh',
  connectClient: 'client:connect',
  disconnectClient: 'client:disconnect',
  previewClientSetup: 'client:preview',
  refreshClients: 'client:refresh',
  restartServer: 'server:restart',
  readServerLog: 'server:read-log',
  openLogFile: 'server:open-log-file',
  updateSettings: 'settings:update',
  pickTransferFolder: 'settings:pick-transfer-folder',
} as const satisfies Record<BridgeMethodName, string>;

/** IPC channel of every event (main -> window, webContents.send / ipcRenderer.on). */
export const EVENT_CHANNELS = {
  onStateChanged: 'state:changed',
  onShowView: 'view:show',
} as const satisfies Record<BridgeEventName, string>;

export const METHOD_NAMES = Object.keys(METHOD_CHANNELS) as BridgeMethodName[];
export const EVENT_NAMES = Object.keys(EVENT_CHANNELS) as BridgeEventName[];
