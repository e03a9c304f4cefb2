import { describe, expect, it } from 'vitest';
import { trayMenu, trayView, type TrayMenuItem } from '../../main/app/tray-menu.ts';
import { updateMenuItem, type UpdateState } from '../../main/app/updates.ts';
import { appStateFixture, clientFixture, sandboxFixture } from '../helpers/app-state-fixture.ts';

type Item = Extract<TrayMenuItem, { kind: 'item' }>;
const items = (menu: TrayMenuItem[]) => menu.filter((entry): entry is Item => entry.kind === 'item');
const byId = (menu: TrayMenuItem[], id: string) => items(menu).find((entry) => entry.id === id);
const labels = (menu: TrayMenuItem[]) => menu.map((entry) => (entry.kind === 'separator' ? '---' : entry.label));

describe('tray menu from the app state', () => {
  it('lists status, burn, balance, window, clients, restart, start at login, logs and quit, in that order', () => {
    const state = appStateFixture({
      sandboxes: [sandboxFixture('a', 'started'), sandboxFixture('b', 'started'), sandboxFixture('c', 'stopped')],
      billing: {
        ...appStateFixture().billing,
        burn: { ...appStateFixture().billing.burn, perHourUsd: 0.3348, running: 2 },
        balance: {
          state: 'ok',
          cents: 1234,
          usd: 12.34,
          spentThisPeriodUsd: 3,
          hoursLeft: 36.9,
          billingType: 'prepaid',
          updatedAt: '2026-11-26T00:00:00Z',
        },
      },
      clients: [
        clientFixture('claude-desktop', 'Claude Desktop', { connected: true, entry: 'ours' }),
        clientFixture('cursor', 'Cursor', { installed: false }),
        clientFixture('vscode', 'VS Code'),
      ],
    });
    expect(labels(trayMenu(state, 'linux'))).toEqual([
      'MCP server running on port 41234',
      '2 running · $0.33/h',
      'Balance $12.34 (~37 h left)',
      '---',
      'Open Daytona Tray…',
      '---',
      'Connect Claude Desktop',
      'Connect VS Code',
      '---',
      'Restart MCP server',
      'Start at login',
      'Open logs',
      '---',
      'Quit',
    ]);
  });

  it('puts a check mark on connected clients, and their item disconnects', () => {
    const menu = trayMenu(
      appStateFixture({
        clients: [clientFixture('claude-code', 'Claude Code', { connected: true }), clientFixture('windsurf', 'Windsurf')],
      }),
      'darwin',
    );
    expect(byId(menu, 'client-claude-code')).toMatchObject({ checked: true, action: { type: 'disconnect-client', id: 'claude-code' } });
    expect(byId(menu, 'client-windsurf')).toMatchObject({ checked: false, action: { type: 'connect-client', id: 'windsurf' } });
  });

  it('leaves out the client section when no client is installed', () => {
    const menu = trayMenu(appStateFixture({ clients: [clientFixture('cursor', 'Cursor', { installed: false })] }), 'linux');
    expect(labels(menu)).not.toContain('Connect Cursor');
    expect(labels(menu).filter((label) => label === '---')).toHaveLength(3);
  });

  it('shows the server restarting, and a failure with the first sentence of its reason', () => {
    const restarting = appStateFixture({ server: { state: 'restarting', since: 0, failures: 1 } });
    expect(byId(trayMenu(restarting, 'linux'), 'server-status')?.label).toBe('MCP server restarting…');
    const failed = appStateFixture({
      server: { state: 'failed', since: 0, failures: 3, reason: 'The MCP server exited with code 1 while starting. Its last output: boom' },
    });
    const status = byId(trayMenu(failed, 'darwin'), 'server-status');
    expect(status).toMatchObject({
      label: 'MCP server failed: The MCP server exited with code 1 while starting',
      action: { type: 'open-window', view: 'server' },
    });
  });

  it('says "local, free" and shows no balance for the local provider', () => {
    const state = appStateFixture({
      billing: { ...appStateFixture().billing, mode: 'local', label: 'local — free', balance: { state: 'not-applicable' } },
      sandboxes: [sandboxFixture('a', 'started')],
    });
    const menu = trayMenu(state, 'linux');
    expect(byId(menu, 'sandboxes')?.label).toBe('1 running · local, free');
    expect(byId(menu, 'balance')).toBeUndefined();
  });

  it('asks to sign in for the balance when signed out', () => {
    expect(byId(trayMenu(appStateFixture(), 'linux'), 'balance')).toMatchObject({
      label: 'Sign in to see balance',
      action: { type: 'open-window', view: 'balance' },
    });
  });

  it('toggles start at login to the opposite of the setting', () => {
    const off = byId(trayMenu(appStateFixture(), 'win32'), 'start-at-login');
    expect(off).toMatchObject({ checked: false, action: { type: 'set-start-at-login', enabled: true } });
    const on = byId(
      trayMenu(appStateFixture({ settings: { ...appStateFixture().settings, startAtLogin: true } }), 'win32'),
      'start-at-login',
    );
    expect(on).toMatchObject({ checked: true, action: { type: 'set-start-at-login', enabled: false } });
  });

  it('escapes & (a mnemonic on Windows and Linux) and clips long reasons to one short line', () => {
    const reason = `Profile R&D cannot be used:\n${'x'.repeat(200)}`;
    const state = appStateFixture({ server: { state: 'failed', since: 0, failures: 1, reason } });
    const linux = byId(trayMenu(state, 'linux'), 'server-status')!.label;
    expect(linux).toContain('R&&D');
    expect(linux).not.toContain('\n');
    expect(linux.length).toBeLessThanOrEqual(72);
    expect(byId(trayMenu(state, 'darwin'), 'server-status')!.label).toContain('R&D cannot');
  });
});

describe('tray icon and tooltip', () => {
  it('is idle with nothing running, active with a started sandbox', () => {
    expect(trayView(appStateFixture(), 'linux').icon).toBe('idle');
    expect(trayView(appStateFixture({ sandboxes: [sandboxFixture('a', 'started')] }), 'linux').icon).toBe('active');
  });

  it('is in error when the server failed, the key was refused, the profile is unusable or credits ran out', () => {
    expect(trayView(appStateFixture({ server: { state: 'failed', since: 0, failures: 2 } }), 'linux').icon).toBe('error');
    expect(
      trayView(
        appStateFixture({ watcher: { state: 'unauthorized', events: 'off', problem: { kind: 'unauthorized', message: 'key refused' } } }),
        'linux',
      ).icon,
    ).toBe('error');
    expect(trayView(appStateFixture({ profile: { ...appStateFixture().profile, problem: 'No API key is stored' } }), 'linux').icon).toBe(
      'error',
    );
    expect(trayView(appStateFixture({ billing: { ...appStateFixture().billing, creditsDepleted: true } }), 'linux').icon).toBe('error');
  });

  it('names the profile, server and sandboxes in a tooltip of at most 127 characters', () => {
    const view = trayView(appStateFixture({ sandboxes: [sandboxFixture('a', 'started')] }), 'win32');
    expect(view.tooltip).toBe('Daytona Tray (cloud) · MCP server running on port 41234 · 1 running · $0.00/h');
    const long = trayView(appStateFixture({ server: { state: 'failed', since: 0, failures: 1, reason: 'y'.repeat(300) } }), 'win32');
    expect(long.tooltip.length).toBeLessThanOrEqual(127);
  });
});

describe('the tray menu’s update item', () => {
  it('follows the updater: check, progress, restart to install, errors, and off where there is no updater', () => {
    const state = appStateFixture();
    expect(byId(trayMenu(state, 'linux'), 'updates')).toBeUndefined(); // a desktop without updates (the web shell)
    const cases: [UpdateState, string, boolean, string][] = [
      [{ state: 'idle' }, 'Check for updates…', true, 'check-updates'],
      [{ state: 'checking' }, 'Checking for updates…', false, 'check-updates'],
      [{ state: 'downloading', version: '0.2.0', percent: 42 }, 'Downloading update 0.2.0 (42%)…', false, 'check-updates'],
      [{ state: 'ready', version: '0.2.0' }, 'Restart to update to 0.2.0', true, 'install-update'],
      [{ state: 'error', message: 'offline' }, 'Update failed: check again…', true, 'check-updates'],
      [{ state: 'off', reason: 'development run (not packaged)' }, 'Updates off: development run (not packaged)', false, 'check-updates'],
    ];
    for (const [update, label, enabled, action] of cases) {
      const menu = trayMenu(state, 'linux', updateMenuItem(update));
      expect(byId(menu, 'updates'), update.state).toEqual({ kind: 'item', id: 'updates', label, enabled, action: { type: action } });
      // After "Open logs", before Quit.
      const ids = items(menu).map((entry) => entry.id);
      expect(ids.indexOf('updates')).toBe(ids.indexOf('open-logs') + 1);
    }
  });
});
