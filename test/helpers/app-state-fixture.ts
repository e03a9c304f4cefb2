import { TOOL_GROUPS, type AppState, type ClientView, type SandboxView } from '../../preload/contract.ts';

/** A complete AppState for tests of what main renders from it (tray, notifications); override what matters. */
export function appStateFixture(overrides: Partial<AppState> = {}): AppState {
  return {
    revision: 1,
    app: { version: '0.1.0', platform: 'linux', unavailable: [] },
    firstRun: false,
    profile: {
      name: 'cloud',
      kind: 'cloud',
      apiUrl: 'https://app.daytona.io/api',
      apiKey: { set: true, suffix: 'abcd', source: 'keychain' },
      profiles: [{ name: 'cloud', kind: 'cloud', active: true }],
    },
    account: { state: 'signed-out' },
    sandboxes: [],
    watcher: { state: 'running', events: 'live', lastListingAt: 0 },
    billing: {
      mode: 'cloud',
      label: 'Daytona Cloud',
      burn: { perHourUsd: 0, perDayUsd: 0, running: 0, diskOnly: 0, gpuNotPriced: 0, todayUsd: 0, todaySince: '2026-11-26T00:00:00.000Z' },
      spend: { state: 'not-applicable' },
      balance: { state: 'sign-in', message: 'Sign in to see balance' },
      organizationId: undefined,
      creditsDepleted: false,
      suspensionReason: undefined,
    },
    server: { state: 'running', since: 0, port: 41234, url: 'http://127.0.0.1:41234/mcp', failures: 0 },
    clients: [],
    settings: {
      toolGroups: { sandbox: true, files: true, process: true, git: true, preview: true, 'computer-use': true },
      notifications: {
        autoStop: true,
        autoPause: true,
        autoArchive: true,
        autoDelete: true,
        ttlExpired: true,
        sandboxError: true,
        lowBalance: true,
        creditsDepleted: true,
        serverFailed: true,
      },
      lowBalanceThresholdCents: 500,
      startAtLogin: false,
      mcpPort: 0,
      transferFolder: { path: '/home/ada/Downloads/Daytona', chosen: false },
      sharedGraceMinutes: 10,
      warmPoolSize: 2,
    },
    ...overrides,
  };
}

export function sandboxFixture(id: string, state: string, overrides: Partial<SandboxView> = {}): SandboxView {
  return { id, name: id, state, cpu: 1, gpu: 0, memory: 1, disk: 3, labels: {}, notIsolated: false, ...overrides };
}

export function clientFixture(id: ClientView['id'], name: string, overrides: Partial<ClientView> = {}): ClientView {
  return {
    id,
    name,
    installed: true,
    connected: false,
    entry: 'absent',
    current: false,
    configPath: `/home/user/${id}.json`,
    applyHint: `Restart ${name} to apply.`,
    tools: [...TOOL_GROUPS],
    ...overrides,
  };
}
