import { useState } from 'react';
import type { ClientChange, ClientView, ToolGroup } from '../../../preload/contract.ts';
import { useBridge } from '../bridge.ts';
import { useAction } from '../hooks/use-action.ts';
import { Button } from './button.tsx';
import { ClientTools } from './client-tools.tsx';

/** Keeps the start and the file name of a long path: "/home/ada/.config/…/claude_desktop_config.json". */
export function shortPath(path: string, max = 52): string {
  if (path.length <= max) return path;
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const tail = path.slice(cut + 1);
  if (tail.length >= max - 10) return `…${tail.slice(-(max - 1))}`;
  return `${path.slice(0, max - tail.length - 2)}…${path.slice(cut)}`;
}

function statusOf(client: ClientView): { label: string; tone: 'ok' | 'off' | 'warn' | 'absent' } {
  if (!client.installed) return { label: 'Not installed', tone: 'absent' };
  if (client.entry === 'foreign') return { label: 'Has another “daytona” entry', tone: 'warn' };
  if (client.connected && !client.current) return { label: 'Connected · needs update', tone: 'warn' };
  if (client.connected) return { label: 'Connected', tone: 'ok' };
  if (client.entry === 'ours') return { label: 'Entry broken', tone: 'warn' };
  return { label: 'Not connected', tone: 'off' };
}

/** One AI client: its status, one-click connect/disconnect, the change it makes (on demand), and what to do after. */
export function ClientRow({ client }: { client: ClientView }) {
  const bridge = useBridge();
  const connect = useAction(bridge.connectClient);
  const disconnect = useAction(bridge.disconnectClient);
  const preview = useAction(bridge.previewClientSetup);
  const [done, setDone] = useState<ClientChange>();
  const [diff, setDiff] = useState<ClientChange>();
  const status = statusOf(client);
  const busy = connect.pending || disconnect.pending;
  const error = connect.error ?? disconnect.error ?? preview.error;
  const action: 'connect' | 'disconnect' = client.entry === 'ours' && client.current ? 'disconnect' : 'connect';
  const titleId = `client-${client.id}`;

  async function change() {
    setDiff(undefined);
    setDone(undefined);
    const force = client.entry === 'foreign';
    const result =
      action === 'connect' ? await connect.run({ id: client.id, ...(force ? { force } : {}) }) : await disconnect.run({ id: client.id });
    if (result?.ok) setDone(result.value);
  }

  async function saveTools(tools: ToolGroup[]): Promise<boolean> {
    setDiff(undefined);
    setDone(undefined);
    const result = await connect.run({ id: client.id, tools, ...(client.entry === 'foreign' ? { force: true } : {}) });
    if (result?.ok) setDone(result.value);
    return result?.ok === true;
  }

  async function toggleDiff() {
    if (diff) {
      setDiff(undefined);
      return;
    }
    const result = await preview.run({ id: client.id, action });
    if (result?.ok) setDiff(result.value);
  }

  return (
    <li className="client" aria-labelledby={titleId} aria-busy={busy || undefined}>
      <div className="client-head">
        <span className={`status-dot status-${status.tone}`} aria-hidden="true" />
        <div className="client-title">
          <h3 id={titleId}>{client.name}</h3>
          <span className={`client-status status-text-${status.tone}`}>{status.label}</span>
        </div>
        {client.installed ? (
          <Button
            size="small"
            variant={action === 'connect' ? 'primary' : 'secondary'}
            onClick={() => void change()}
            pending={busy}
            pendingLabel={action === 'connect' ? 'Connecting…' : 'Disconnecting…'}
          >
            {action === 'disconnect'
              ? 'Disconnect'
              : client.entry === 'foreign'
                ? 'Replace'
                : client.connected || client.entry === 'ours'
                  ? 'Update'
                  : 'Connect'}
          </Button>
        ) : null}
      </div>
      {client.installed ? (
        <p className="client-path" title={client.configPath}>
          {shortPath(client.configPath)}
        </p>
      ) : null}
      {client.installed && client.id !== 'jetbrains' ? <ClientTools client={client} pending={connect.pending} onSave={saveTools} /> : null}
      {client.problem ? <p className="small warn-text">{client.problem}</p> : null}
      {done && (done.action === 'connected' || done.action === 'updated' || done.action === 'disconnected') ? (
        <p className="apply-hint" role="status">
          {done.action === 'disconnected' ? 'Disconnected.' : 'Connected.'} {done.applyHint}
          {done.notes.map((note) => (
            <span key={note} className="block muted small">
              {note}
            </span>
          ))}
        </p>
      ) : null}
      {error ? (
        <p className="error-text" role="alert">
          {error.message}
        </p>
      ) : null}
      {client.installed ? (
        <button
          type="button"
          className="link small"
          aria-expanded={diff !== undefined}
          onClick={() => void toggleDiff()}
          disabled={preview.pending}
        >
          {diff
            ? 'Hide changes'
            : preview.pending
              ? 'Working out changes…'
              : `Show what ${action === 'connect' ? 'connecting' : 'disconnecting'} changes`}
        </button>
      ) : null}
      {diff ? (
        <div className="diff-box">
          <p className="muted small">{diff.via === 'claude-cli' || diff.via === 'cli' ? 'Would run:' : 'Would change:'}</p>
          {diff.commands?.map((command) => (
            <code key={command.join(' ')} className="block">
              {command.join(' ')}
            </code>
          ))}
          {diff.diff ? (
            <pre className="diff" aria-label={`Changes to ${diff.file}`}>
              {diff.diff.split('\n').map((line, index) => (
                <span
                  key={index}
                  className={
                    line.startsWith('+') && !line.startsWith('+++')
                      ? 'diff-add'
                      : line.startsWith('-') && !line.startsWith('---')
                        ? 'diff-del'
                        : undefined
                  }
                >
                  {line}
                  {'\n'}
                </span>
              ))}
            </pre>
          ) : (
            <p className="muted small">Nothing to change.</p>
          )}
        </div>
      ) : null}
    </li>
  );
}
