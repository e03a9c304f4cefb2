import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppState, ServerState } from '../../../preload/contract.ts';
import { useBridge } from '../bridge.ts';
import { formatDuration } from '../format.ts';
import { useAction } from '../hooks/use-action.ts';
import { useNow } from '../hooks/use-now.ts';
import { Button } from './button.tsx';
import { RefreshIcon } from './icons.tsx';
import { useNotice } from './notice.tsx';

const LOG_LINES = 40;
const LOG_REFRESH_MS = 4_000;

const TONE: Record<ServerState, string> = { running: 'ok', starting: 'warn', restarting: 'warn', failed: 'error', stopped: 'off' };

/** The MCP server as the supervisor sees it, a restart button, and its last log lines. */
export function ServerView({ state }: { state: AppState }) {
  const bridge = useBridge();
  const notify = useNotice();
  const restart = useAction(bridge.restartServer);
  const copy = useAction(bridge.copyText);
  const readLog = useAction(bridge.readServerLog);
  const openLog = useAction(bridge.openLogFile);
  const [lines, setLines] = useState<string[]>();
  const [logFile, setLogFile] = useState<string>();
  const canOpenFiles = !state.app.unavailable.includes('open-files');
  const logBox = useRef<HTMLPreElement>(null);
  const now = useNow();
  const { server } = state;

  const load = useCallback(async () => {
    const result = await readLog.run({ limit: LOG_LINES });
    if (result?.ok) {
      setLines(result.value.lines);
      setLogFile(result.value.file);
    }
  }, [readLog.run]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), LOG_REFRESH_MS);
    return () => clearInterval(timer);
  }, [load, server.state, server.since]);

  useEffect(() => {
    // The newest lines matter: keep the log scrolled to its end as lines arrive.
    const box = logBox.current;
    if (box) box.scrollTop = box.scrollHeight;
  }, [lines]);

  const headline =
    server.state === 'running'
      ? `Running on port ${server.port ?? '?'}`
      : server.state === 'restarting'
        ? server.retryAt && server.retryAt > now
          ? `Restarting in ${formatDuration(server.retryAt - now)}`
          : 'Restarting…'
        : server.state === 'failed'
          ? 'Failed'
          : server.state === 'starting'
            ? 'Starting…'
            : 'Stopped';

  return (
    <section className="view stack" aria-labelledby="server-title">
      <h2 id="server-title" className="sr-only">
        MCP server
      </h2>
      <div className="card stack tight">
        <div className="card-label">
          <span>MCP server</span>
          <span className="card-aside">{server.state === 'running' ? `up ${formatDuration(now - server.since)}` : null}</span>
        </div>
        <p className="server-state">
          <span className={`status-dot status-${TONE[server.state]}`} aria-hidden="true" />
          <strong>{headline}</strong>
        </p>
        {server.reason && server.state !== 'running' ? (
          <p className={server.state === 'failed' ? 'error-text' : 'warn-text'}>{server.reason}</p>
        ) : null}
        {server.state === 'failed' && server.retryAt && server.retryAt > now ? (
          <p className="muted small">Next try in {formatDuration(server.retryAt - now)}.</p>
        ) : null}
        {server.url ? (
          <p className="row gap">
            <code className="url">{server.url}</code>
            <Button
              size="small"
              variant="ghost"
              onClick={() => {
                void copy.run({ text: server.url! }).then((result) => result?.ok && notify('Server URL copied'));
              }}
            >
              Copy
            </Button>
          </p>
        ) : null}
        {server.localProvider ? (
          <p className="muted small">
            Local provider: {server.localProvider.state}
            {server.localProvider.port ? ` on port ${server.localProvider.port}` : ''}
            {server.localProvider.reason ? ` — ${server.localProvider.reason}` : ''}
          </p>
        ) : null}
        {restart.error ? (
          <p className="error-text" role="alert">
            {restart.error.message}
          </p>
        ) : null}
        <div className="row">
          <Button onClick={() => void restart.run()} pending={restart.pending} pendingLabel="Restarting…">
            Restart server
          </Button>
        </div>
      </div>

      <div className="stack tight">
        <div className="card-label">
          <span>Last log lines</span>
          <Button size="small" variant="ghost" onClick={() => void load()} aria-label="Reload the log" title="Reload">
            <RefreshIcon />
          </Button>
        </div>
        {readLog.error ? <p className="error-text">{readLog.error.message}</p> : null}
        <pre ref={logBox} className="log" tabIndex={0} aria-label="Server log">
          {lines === undefined ? 'Loading…' : lines.length === 0 ? 'Nothing logged yet.' : lines.join('\n')}
        </pre>
        {logFile ? (
          <p className="row gap small log-file">
            <span className="muted">
              Full log: <code>{logFile}</code>
              {canOpenFiles ? null : (
                <>
                  {' '}
                  (<code>daytona-tray logs --follow</code>)
                </>
              )}
            </span>
            {canOpenFiles ? (
              <Button size="small" variant="ghost" onClick={() => void openLog.run()} pending={openLog.pending} pendingLabel="Opening…">
                Open log file
              </Button>
            ) : null}
          </p>
        ) : null}
        {openLog.error ? <p className="error-text">{openLog.error.message}</p> : null}
      </div>
    </section>
  );
}
