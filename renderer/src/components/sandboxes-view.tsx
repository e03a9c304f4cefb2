import { useEffect, useState } from 'react';
import type { AppState, SandboxView } from '../../../preload/contract.ts';
import { useBridge } from '../bridge.ts';
import { formatUsd } from '../format.ts';
import { useAction } from '../hooks/use-action.ts';
import { Banner } from './banner.tsx';
import { Button } from './button.tsx';
import { RefreshIcon } from './icons.tsx';
import { SandboxRow } from './sandbox-row.tsx';
import { stateTone } from './state-badge.tsx';

type Filter = 'all' | 'running' | 'stopped' | 'error' | 'archived';

const FILTERS: { id: Filter; label: string; matches(sandbox: SandboxView): boolean }[] = [
  { id: 'all', label: 'All', matches: () => true },
  { id: 'running', label: 'Running', matches: (s) => stateTone(s.state) === 'running' || stateTone(s.state) === 'busy' },
  { id: 'stopped', label: 'Stopped', matches: (s) => stateTone(s.state) === 'stopped' },
  { id: 'error', label: 'Errors', matches: (s) => stateTone(s.state) === 'error' },
  { id: 'archived', label: 'Archived', matches: (s) => stateTone(s.state) === 'archived' },
];

/** A sandbox to scroll to and highlight: the one a notification was about. */
export interface SandboxFocus {
  sandboxId: string;
  /** Grows with every ask, so asking again for the same sandbox scrolls to it again. */
  seq: number;
}

/** The live list: filter by state, act on one sandbox, and see why the list may be stale. */
export function SandboxesView({ state, focus }: { state: AppState; focus?: SandboxFocus | undefined }) {
  const bridge = useBridge();
  const refresh = useAction(bridge.refreshSandboxes);
  const [filter, setFilter] = useState<Filter>('all');
  const { sandboxes, watcher, billing } = state;
  const counts = Object.fromEntries(FILTERS.map((f) => [f.id, sandboxes.filter(f.matches).length])) as Record<Filter, number>;
  // Offer only the filters that match something (and the selected one): four chips fit 380 px, five do not.
  const filters = FILTERS.filter((f) => f.id === 'all' || counts[f.id] > 0 || filter === f.id);
  const shown = sandboxes.filter(FILTERS.find((f) => f.id === filter)!.matches);
  const loading = watcher.state === 'starting' && watcher.lastListingAt === undefined;
  const focusHidden =
    focus !== undefined && sandboxes.some((s) => s.id === focus.sandboxId) && !shown.some((s) => s.id === focus.sandboxId);
  // The sandbox asked for is filtered out: show them all rather than hide what the notification was about.
  useEffect(() => {
    if (focusHidden) setFilter('all');
  }, [focusHidden]);

  return (
    <section className="view" aria-labelledby="sandboxes-title">
      <div className="view-head">
        <h2 id="sandboxes-title" className="sr-only">
          Sandboxes
        </h2>
        <div className="chips" role="group" aria-label="Filter by state">
          {filters.map((f) => (
            <button key={f.id} type="button" className="chip" aria-pressed={filter === f.id} onClick={() => setFilter(f.id)}>
              {f.label} <span className="chip-count">{counts[f.id]}</span>
            </button>
          ))}
        </div>
        <Button
          size="small"
          variant="ghost"
          onClick={() => void refresh.run()}
          pending={refresh.pending}
          aria-label="Refresh the list"
          title="Refresh"
        >
          <RefreshIcon />
        </Button>
      </div>

      {billing.burn.running > 0 ? (
        <p className="summary">
          {billing.burn.running} running · {formatUsd(billing.burn.perHourUsd)}/h
          {billing.mode === 'local' ? ' on Daytona Cloud (local is free)' : ''}
        </p>
      ) : null}

      {watcher.problem ? (
        <Banner
          tone={watcher.problem.kind === 'events' ? 'warning' : 'error'}
          title={
            watcher.state === 'unauthorized'
              ? 'Daytona refused the API key'
              : watcher.problem.kind === 'events'
                ? 'Live updates paused'
                : 'Could not list sandboxes'
          }
          action={
            <Button size="small" onClick={() => void refresh.run()} pending={refresh.pending} pendingLabel="Retrying…">
              Retry
            </Button>
          }
        >
          {watcher.problem.message}
        </Banner>
      ) : null}
      {refresh.error ? <Banner tone="error">{refresh.error.message}</Banner> : null}

      {loading ? (
        <div className="empty" aria-busy="true">
          <span className="spinner" aria-hidden="true" /> Loading sandboxes…
        </div>
      ) : shown.length === 0 ? (
        <div className="empty">
          {sandboxes.length === 0 ? (
            <>
              <strong>No sandboxes yet</strong>
              <span className="muted">Ask your AI agent to create one, e.g. “create a Daytona sandbox and run the tests in it”.</span>
            </>
          ) : (
            <span className="muted">No sandboxes match “{FILTERS.find((f) => f.id === filter)!.label}”.</span>
          )}
        </div>
      ) : (
        <ul className="sandbox-list" aria-label="Sandboxes">
          {shown.map((sandbox) => (
            <SandboxRow key={sandbox.id} sandbox={sandbox} highlight={focus?.sandboxId === sandbox.id ? focus.seq : undefined} />
          ))}
        </ul>
      )}
    </section>
  );
}
