import type { AppState } from '../../../preload/contract.ts';
import { LogoMark } from './logo-mark.tsx';

const SERVER_TONE = { running: 'ok', starting: 'warn', restarting: 'warn', failed: 'error', stopped: 'off' } as const;

/** The window's top line: who we are, which profile is active, and whether the MCP server is up. */
export function AppHeader({ state, onServerClick }: { state: AppState; onServerClick(): void }) {
  const { server, profile } = state;
  const serverText = server.state === 'running' ? `MCP :${server.port ?? '?'}` : `MCP ${server.state}`;
  return (
    <header className="app-header">
      <LogoMark />
      <div className="app-title">
        <span className="app-name">Daytona Tray</span>
        <span className="app-profile">
          {profile.kind === 'local' ? 'Local provider' : profile.kind === 'cloud' ? `${profile.name} · Daytona Cloud` : profile.name}
        </span>
      </div>
      <button
        type="button"
        className={`pill pill-${SERVER_TONE[server.state]}`}
        onClick={onServerClick}
        title={server.reason ?? serverText}
        aria-label={`MCP server ${server.state}${server.port ? ` on port ${server.port}` : ''}. Show server.`}
      >
        <span className={`status-dot status-${SERVER_TONE[server.state]}`} aria-hidden="true" />
        {serverText}
      </button>
    </header>
  );
}
