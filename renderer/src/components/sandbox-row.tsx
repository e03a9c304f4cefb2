import { memo, useEffect, useRef, useState } from 'react';
import type { SandboxView } from '../../../preload/contract.ts';
import { useBridge } from '../bridge.ts';
import { ageOf, formatCountdown, formatGiB } from '../format.ts';
import { useAction } from '../hooks/use-action.ts';
import { useClock } from '../hooks/use-clock.ts';
import { countRender } from '../render-count.ts';
import { Button } from './button.tsx';
import { DesktopThumbnail } from './desktop-view.tsx';
import { Dialog } from './dialog.tsx';
import { useNotice } from './notice.tsx';
import { StateBadge, stateTone } from './state-badge.tsx';

const STARTABLE = new Set(['stopped', 'archived', 'error', 'paused']);
const STOPPABLE = new Set(['started', 'starting']);

/**
 * One sandbox: what it is, how long it has left, and what can be done to it. `highlight` (set when a
 * notification about it opened the window) scrolls it into view and marks it as the current one.
 * Memoized: a snapshot where another sandbox changed keeps this one's object (state-store.ts), so this row
 * does not render again; its age and countdown tick on their own (useClock).
 */
export const SandboxRow = memo(function SandboxRow({ sandbox, highlight }: { sandbox: SandboxView; highlight?: number | undefined }) {
  countRender('SandboxRow');
  const bridge = useBridge();
  const notify = useNotice();
  const start = useAction(bridge.startSandbox);
  const stop = useAction(bridge.stopSandbox);
  const remove = useAction(bridge.deleteSandbox);
  const preview = useAction(bridge.openPreview);
  const terminal = useAction(bridge.openTerminal);
  const copy = useAction(bridge.copyText);
  const [dialog, setDialog] = useState<'delete' | 'preview'>();
  const [port, setPort] = useState('3000');
  const row = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (highlight === undefined) return;
    const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    row.current?.scrollIntoView({ block: 'nearest', behavior: smooth ? 'smooth' : 'auto' });
  }, [highlight]);

  const busy = start.pending || stop.pending || remove.pending;
  const error = start.error ?? stop.error ?? remove.error ?? preview.error ?? terminal.error ?? copy.error;
  const clearErrors = () => [start, stop, remove, preview, terminal, copy].forEach((action) => action.clearError());
  const paused = sandbox.state === 'paused';
  const titleId = `sandbox-${sandbox.id}`;

  async function openPreview() {
    const value = Number(port);
    setDialog(undefined);
    const opened = await preview.run({ id: sandbox.id, port: value });
    if (opened?.ok) notify(`Opened ${opened.value.url}`);
  }

  async function openTerminal() {
    const opened = await terminal.run({ id: sandbox.id });
    if (opened?.ok) notify(`Opened a terminal on ${sandbox.name} (${opened.value.emulator})`);
  }

  async function copyId() {
    if ((await copy.run({ text: sandbox.id }))?.ok) notify(`Copied ${sandbox.id}`);
  }

  return (
    <li
      ref={row}
      className={`sandbox tone-${stateTone(sandbox.state)}${highlight !== undefined ? ' highlighted' : ''}`}
      aria-labelledby={titleId}
      aria-busy={busy || undefined}
      aria-current={highlight !== undefined || undefined}
    >
      <div className="sandbox-head">
        <StateBadge state={sandbox.state} />
        <h3 id={titleId} className="sandbox-name" title={sandbox.name}>
          {sandbox.name}
        </h3>
        {sandbox.notIsolated ? (
          <span className="badge badge-warning" title="A local sandbox running without bubblewrap: its processes have your user's rights.">
            not isolated
          </span>
        ) : sandbox.sharedNetwork ? (
          <span
            className="badge badge-warning"
            title="A local sandbox on your machine's network: it can reach services on your loopback and other sandboxes' ports."
          >
            shared network
          </span>
        ) : null}
      </div>
      <p className="sandbox-meta">
        <span>{sandbox.cpu} vCPU</span>
        <span>{formatGiB(sandbox.memory)} RAM</span>
        <span>{formatGiB(sandbox.disk)} disk</span>
        {sandbox.gpu > 0 ? <span>{sandbox.gpu} GPU</span> : null}
        <Age createdAt={sandbox.createdAt} />
      </p>
      {sandbox.autoStopAt ? <CountdownNote at={sandbox.autoStopAt} before="Auto-stops in" after="if idle" /> : null}
      {sandbox.autoPauseAt ? <CountdownNote at={sandbox.autoPauseAt} before="Auto-pauses in" after="if idle" /> : null}
      {paused ? (
        <p className="sandbox-note">Paused: its processes are frozen with their memory kept. Resume continues where they were.</p>
      ) : null}
      {sandbox.autoDestroyAt ? (
        <CountdownNote at={sandbox.autoDestroyAt} before="Deleted in" after="(time to live), whatever its state" />
      ) : null}
      {sandbox.errorReason ? <p className="sandbox-note error-text">{sandbox.errorReason}</p> : null}
      <DesktopThumbnail id={sandbox.id} name={sandbox.name} started={sandbox.state === 'started'} />
      {error ? (
        <p className="error-text" role="alert">
          {error.message}{' '}
          <button type="button" className="link" onClick={clearErrors}>
            Dismiss
          </button>
        </p>
      ) : null}
      <div className="sandbox-actions" role="group" aria-label={`Actions for ${sandbox.name}`}>
        {STOPPABLE.has(sandbox.state) || stop.pending ? (
          <Button
            size="small"
            onClick={() => void stop.run({ id: sandbox.id })}
            pending={stop.pending}
            pendingLabel="Stopping…"
            disabled={busy}
          >
            Stop
          </Button>
        ) : (
          <Button
            size="small"
            onClick={() => void start.run({ id: sandbox.id })}
            pending={start.pending}
            pendingLabel={paused ? 'Resuming…' : 'Starting…'}
            disabled={busy || !STARTABLE.has(sandbox.state)}
          >
            {paused ? 'Resume' : 'Start'}
          </Button>
        )}
        <Button
          size="small"
          variant="ghost"
          onClick={() => setDialog('preview')}
          disabled={busy || sandbox.state !== 'started'}
          pending={preview.pending}
          pendingLabel="Opening…"
        >
          Preview
        </Button>
        <Button
          size="small"
          variant="ghost"
          onClick={() => void openTerminal()}
          disabled={busy || sandbox.state !== 'started'}
          pending={terminal.pending}
          pendingLabel="Opening…"
          aria-label="Open terminal"
          title="Open a terminal window with a shell in this sandbox"
        >
          Terminal
        </Button>
        <Button size="small" variant="ghost" onClick={() => void copyId()} disabled={copy.pending}>
          Copy ID
        </Button>
        <Button
          size="small"
          variant="ghost"
          className="danger-text push-end"
          onClick={() => setDialog('delete')}
          pending={remove.pending}
          pendingLabel="Deleting…"
          disabled={busy}
        >
          Delete
        </Button>
      </div>

      <Dialog open={dialog === 'delete'} title={`Delete ${sandbox.name}?`} onClose={() => setDialog(undefined)}>
        <p className="muted">The sandbox and every file in it are removed for good. This cannot be undone.</p>
        <div className="row gap end">
          <Button variant="ghost" onClick={() => setDialog(undefined)} autoFocus>
            Cancel
          </Button>
          <Button
            variant="danger"
            onClick={() => {
              setDialog(undefined);
              void remove.run({ id: sandbox.id });
            }}
          >
            Delete sandbox
          </Button>
        </div>
      </Dialog>

      <Dialog open={dialog === 'preview'} title={`Open a preview of ${sandbox.name}`} onClose={() => setDialog(undefined)}>
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            void openPreview();
          }}
        >
          <div className="field">
            <label htmlFor={`port-${sandbox.id}`}>Port the app listens on</label>
            <input
              id={`port-${sandbox.id}`}
              type="number"
              min={1}
              max={65535}
              required
              value={port}
              onChange={(event) => setPort(event.currentTarget.value)}
              autoFocus
            />
          </div>
          <div className="row gap end">
            <Button variant="ghost" onClick={() => setDialog(undefined)}>
              Cancel
            </Button>
            <Button type="submit" variant="primary">
              Open in browser
            </Button>
          </div>
        </form>
      </Dialog>
    </li>
  );
});

function Age({ createdAt }: { createdAt: string | undefined }) {
  const age = useClock((now) => ageOf(createdAt, now));
  return age ? <span>{age} old</span> : null;
}

/**
 * "Auto-stops in 12 min if idle": a countdown to `at` that ticks on its own (the row does not re-render for it).
 * Mounted only for a time the sandbox has: each one subscribes to the clock.
 */
function CountdownNote({ at, before, after }: { at: string; before: string; after: string }) {
  const left = useClock((now) => {
    const ms = Date.parse(at) - now;
    return ms > 0 ? formatCountdown(ms) : undefined;
  });
  if (left === undefined) return null;
  return (
    <p className="sandbox-note">
      {before} <strong>{left}</strong> {after}
    </p>
  );
}
