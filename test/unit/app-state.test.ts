import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAppState, type AppStateSources } from '../../main/app/app-state.ts';
import type { SessionSnapshot } from '../../main/app/profile-session.ts';
import { defaultSettings } from '../../main/core/settings/settings-parse.ts';
import type { McpServerStatus } from '../../main/core/supervisor/mcp-supervisor.ts';
import type { WatchedSandbox } from '../../main/core/watcher/watched-sandbox.ts';

const KEY = 'dtn_0123456789abcdefWXYZ';
const sandbox = (id: string, state: string, extra: Partial<WatchedSandbox> = {}): WatchedSandbox => ({
  id,
  name: id,
  state,
  cpu: 1,
  gpu: 0,
  memory: 1,
  disk: 3,
  ...extra,
});
const session = (extra: Partial<SessionSnapshot> = {}): SessionSnapshot => ({
  profile: { name: 'cloud', kind: 'cloud', apiUrl: 'https://app.daytona.io/api', apiKey: KEY, source: 'keychain' },
  problem: undefined,
  waitingForLocalProvider: false,
  sandboxes: [],
  watcher: { state: 'running', events: 'live', lastListingAt: 1, problem: undefined, failures: 0 },
  billing: undefined,
  minuteMs: 60_000,
  isolation: undefined,
  ...extra,
});
const server: McpServerStatus = {
  state: 'running',
  port: 4100,
  url: 'http://127.0.0.1:4100/mcp',
  pid: 42,
  server: { label: 'The MCP server', state: 'running', since: 5, starts: 1, failures: 0, pid: 42 },
};
const sources = (extra: Partial<AppStateSources> = {}): AppStateSources => ({
  version: '0.1.0',
  platform: 'linux',
  unavailable: [],
  firstRun: false,
  settings: defaultSettings(),
  session: session(),
  server,
  clients: [],
  account: { state: 'signed-out' },
  ...extra,
});

describe('buildAppState', () => {
  it('shows whether a key is set and its last 4 characters, never the key', () => {
    const state = buildAppState(sources(), 3);
    expect(state.revision).toBe(3);
    expect(state.profile).toMatchObject({ name: 'cloud', kind: 'cloud', apiKey: { set: true, suffix: 'WXYZ', source: 'keychain' } });
    expect(JSON.stringify(state)).not.toContain(KEY);
  });

  it('computes the auto-stop deadline on the provider clock, and puts running sandboxes first', () => {
    const state = buildAppState(
      sources({
        session: session({
          minuteMs: 1000,
          sandboxes: [
            sandbox('b-stopped', 'stopped', { autoStopInterval: 15 }),
            sandbox('z-running', 'started', { autoStopInterval: 2, lastActivityAt: '2026-11-26T10:00:00.000Z' }),
            sandbox('a-never', 'started', {
              autoStopInterval: 0,
              lastActivityAt: '2026-11-26T10:00:00.000Z',
              labels: { 'daytona-tray/isolation': 'none' },
            }),
          ],
        }),
      }),
      1,
    );
    expect(state.sandboxes.map((view) => view.id)).toEqual(['a-never', 'z-running', 'b-stopped']);
    expect(state.sandboxes.find((view) => view.id === 'z-running')?.autoStopAt).toBe('2026-11-26T10:00:02.000Z');
    expect(state.sandboxes.find((view) => view.id === 'a-never')).toMatchObject({ notIsolated: true });
    expect(state.sandboxes.find((view) => view.id === 'a-never')?.autoStopAt).toBeUndefined();
    expect(state.sandboxes.find((view) => view.id === 'b-stopped')?.autoStopAt).toBeUndefined();
    expect(state.sandboxes.find((view) => view.id === 'z-running')?.hourlyUsd).toBeGreaterThan(
      state.sandboxes.find((view) => view.id === 'b-stopped')!.hourlyUsd!,
    );
  });

  it('explains an unusable profile and keeps the settings profile list', () => {
    const settings = defaultSettings();
    settings.activeProfile = 'cloud';
    const state = buildAppState(
      sources({
        settings,
        session: session({ profile: undefined, problem: "No API key is stored for profile 'cloud'.", watcher: undefined }),
      }),
      1,
    );
    expect(state.profile).toMatchObject({
      name: 'cloud',
      kind: 'cloud',
      apiUrl: 'https://app.daytona.io/api',
      apiKey: { set: false },
      problem: "No API key is stored for profile 'cloud'.",
    });
    expect(state.profile.profiles.map((profile) => profile.name).sort()).toEqual(['cloud', 'local']);
    expect(state.watcher).toEqual({ state: 'stopped', events: 'off' });
  });

  it('shows the server reason only while it restarts or failed, and the local provider when there is one', () => {
    const failed = buildAppState(
      sources({
        server: {
          ...server,
          state: 'failed',
          reason: 'exited with code 1',
          retryAt: 99,
          localProvider: { label: 'The local provider', state: 'running', since: 1, starts: 1, failures: 0 },
        },
      }),
      1,
    );
    expect(failed.server).toMatchObject({
      state: 'failed',
      reason: 'exited with code 1',
      retryAt: 99,
      localProvider: { state: 'running' },
    });
    const running = buildAppState(sources({ server: { ...server, reason: 'old reason' } }), 1);
    expect(running.server).toMatchObject({ state: 'running', port: 4100, url: 'http://127.0.0.1:4100/mcp' });
    expect(running.server.reason).toBeUndefined();
  });

  it('maps the settings to the window view (every switch present)', () => {
    const settings = defaultSettings();
    settings.mcp.toolGroups.git = false;
    settings.notifications.autoArchive = false;
    const state = buildAppState(sources({ settings }), 1);
    expect(state.settings).toEqual({
      toolGroups: { sandbox: true, files: true, process: true, git: false, preview: true, 'computer-use': true },
      notifications: {
        autoStop: true,
        autoPause: true,
        autoArchive: false,
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
      transferFolder: { path: join(homedir(), 'Downloads', 'Daytona'), chosen: false },
      sharedGraceMinutes: 10,
      warmPoolSize: 2,
    });
    settings.mcp.transferFolder = '/srv/agent-files';
    expect(buildAppState(sources({ settings }), 2).settings.transferFolder).toEqual({ path: '/srv/agent-files', chosen: true });
  });
});
