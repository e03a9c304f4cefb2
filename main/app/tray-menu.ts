import { formatUsd } from '../core/billing/money.ts';
import type { UpdateMenuItem } from './updates.ts';
import type { AppState, ClientId, ViewName } from '../../preload/contract.ts';

/** What a tray menu item does; the shell maps each to a service call (kept as data so it is testable). */
export type TrayMenuAction =
  | { type: 'open-window'; view?: ViewName }
  | { type: 'connect-client'; id: ClientId }
  | { type: 'disconnect-client'; id: ClientId }
  | { type: 'restart-server' }
  | { type: 'set-start-at-login'; enabled: boolean }
  | { type: 'open-logs' }
  | { type: 'check-updates' }
  | { type: 'install-update' }
  | { type: 'quit' };

/** A menu item without Electron types: the shell turns it into a MenuItemConstructorOptions. */
export type TrayMenuItem =
  { kind: 'separator' } | { kind: 'item'; id: string; label: string; action: TrayMenuAction; enabled?: boolean; checked?: boolean };

export type TrayIconState = 'idle' | 'active' | 'error';

export interface TrayView {
  icon: TrayIconState;
  /** At most 127 characters (Windows' limit for a tray tooltip). */
  tooltip: string;
  menu: TrayMenuItem[];
}

const MAX_LABEL = 70;
const MAX_TOOLTIP = 127;

/**
 * The tray from the app state (the same snapshot the window renders), as a pure function: icon, tooltip and
 * menu. Every item is set explicitly each time the state changes: on Linux the StatusNotifierItem shows only
 * the context menu and ignores clicks, and a changed MenuItem is not picked up until setContextMenu is called
 * again (Electron's Tray docs, Linux notes: https://www.electronjs.org/docs/latest/api/tray).
 */
export function trayView(state: AppState, platform: NodeJS.Platform | string, updates?: UpdateMenuItem): TrayView {
  return { icon: trayIconState(state), tooltip: trayTooltip(state), menu: trayMenu(state, platform, updates) };
}

/** `updates`: the "Check for updates…" item where the shell has an updater (main/app/updates.ts). */
export function trayMenu(state: AppState, platform: NodeJS.Platform | string, updates?: UpdateMenuItem): TrayMenuItem[] {
  // On Windows and Linux `&` marks a mnemonic in a label; double it so names and reasons show as written.
  const text = (label: string) => (platform === 'darwin' ? clip(label) : clip(label).replaceAll('&', '&&'));
  const items: TrayMenuItem[] = [];
  const item = (id: string, label: string, action: TrayMenuAction, extra: { enabled?: boolean; checked?: boolean } = {}) => {
    items.push({ kind: 'item', id, label: text(label), action, ...extra });
  };
  const separator = () => items.push({ kind: 'separator' });

  item('server-status', serverLine(state), { type: 'open-window', view: 'server' });
  item('sandboxes', sandboxesLine(state), { type: 'open-window', view: 'sandboxes' });
  const balance = balanceLine(state);
  if (balance) item('balance', balance, { type: 'open-window', view: 'balance' });
  separator();
  item('open-window', 'Open Daytona Tray…', { type: 'open-window' });

  const installed = state.clients.filter((client) => client.installed);
  if (installed.length > 0) {
    separator();
    for (const client of installed) {
      item(
        `client-${client.id}`,
        `Connect ${client.name}`,
        client.connected ? { type: 'disconnect-client', id: client.id } : { type: 'connect-client', id: client.id },
        { checked: client.connected },
      );
    }
  }

  separator();
  item('restart-server', 'Restart MCP server', { type: 'restart-server' });
  item(
    'start-at-login',
    'Start at login',
    { type: 'set-start-at-login', enabled: !state.settings.startAtLogin },
    { checked: state.settings.startAtLogin },
  );
  item('open-logs', 'Open logs', { type: 'open-logs' });
  if (updates) item('updates', updates.label, { type: updates.action }, { enabled: updates.enabled });
  separator();
  item('quit', platform === 'darwin' ? 'Quit Daytona Tray' : 'Quit', { type: 'quit' });
  return items;
}

/** Error: something needs the user (server down, key refused, no credits); active: sandboxes are running. */
export function trayIconState(state: AppState): TrayIconState {
  if (state.server.state === 'failed') return 'error';
  if (state.profile.problem || state.watcher.state === 'unauthorized' || state.billing.creditsDepleted) return 'error';
  return runningCount(state) > 0 ? 'active' : 'idle';
}

export function trayTooltip(state: AppState): string {
  const parts = [
    `Daytona Tray (${state.profile.kind === 'local' ? 'local' : state.profile.name})`,
    serverLine(state),
    sandboxesLine(state),
  ];
  if (state.billing.creditsDepleted) parts.push('credits depleted');
  const tooltip = parts.join(' · ');
  return tooltip.length <= MAX_TOOLTIP ? tooltip : `${tooltip.slice(0, MAX_TOOLTIP - 1)}…`;
}

function serverLine(state: AppState): string {
  const server = state.server;
  switch (server.state) {
    case 'running':
      return server.port !== undefined ? `MCP server running on port ${server.port}` : 'MCP server running';
    case 'starting':
      return 'MCP server starting…';
    case 'restarting':
      return 'MCP server restarting…';
    case 'failed':
      return `MCP server failed: ${firstSentence(server.reason ?? 'see the server log')}`;
    case 'stopped':
      return 'MCP server stopped';
  }
}

function sandboxesLine(state: AppState): string {
  const running = runningCount(state);
  const count = `${running} running`;
  if (state.billing.mode === 'local') return `${count} · local, free`;
  return `${count} · ${formatUsd(state.billing.burn.perHourUsd)}/h`;
}

function balanceLine(state: AppState): string | undefined {
  const balance = state.billing.balance;
  switch (balance.state) {
    case 'ok':
      return `Balance ${formatUsd(balance.usd)}${Number.isFinite(balance.hoursLeft) ? ` (~${formatHours(balance.hoursLeft)} left)` : ''}`;
    case 'sign-in':
      return 'Sign in to see balance';
    case 'unavailable':
      return 'Balance unavailable';
    case 'not-applicable':
      return undefined;
  }
}

function runningCount(state: AppState): number {
  return state.sandboxes.filter((sandbox) => sandbox.state === 'started').length;
}

function formatHours(hours: number): string {
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} days`;
}

/** The first sentence of a reason: a tray line has no room for the stderr tail. */
function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return end > 0 ? text.slice(0, end) : text;
}

function clip(label: string): string {
  const oneLine = label.replace(/\s+/g, ' ').trim();
  return oneLine.length <= MAX_LABEL ? oneLine : `${oneLine.slice(0, MAX_LABEL - 1)}…`;
}

/**
 * The icon file for a state, in resources/tray/. macOS gets the `…Template` image (black + alpha; the menu
 * bar tints it for light and dark), Linux the coloured PNG (`nativeImage.createFromPath` picks the `@2x`
 * sibling on HiDPI screens by itself), Windows an ICO with every size the notification area picks from at its
 * scale factors (Electron's Tray docs recommend ICO there: https://www.electronjs.org/docs/latest/api/tray).
 */
export function trayIconFileName(icon: TrayIconState, platform: NodeJS.Platform | string): string {
  if (platform === 'darwin') return `tray-${icon}Template.png`;
  return platform === 'win32' ? `tray-${icon}.ico` : `tray-${icon}.png`;
}
