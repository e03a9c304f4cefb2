/** Daytona's sandbox states grouped into the few colours a glance needs. */
export type StateTone = 'running' | 'busy' | 'stopped' | 'error' | 'archived' | 'unknown';

const TONES: Record<string, StateTone> = {
  started: 'running',
  starting: 'busy',
  stopping: 'busy',
  creating: 'busy',
  restoring: 'busy',
  resizing: 'busy',
  snapshotting: 'busy',
  forking: 'busy',
  pausing: 'busy',
  resuming: 'busy',
  destroying: 'busy',
  archiving: 'busy',
  pending_build: 'busy',
  building_snapshot: 'busy',
  pulling_snapshot: 'busy',
  stopped: 'stopped',
  paused: 'stopped',
  destroyed: 'stopped',
  archived: 'archived',
  error: 'error',
  build_failed: 'error',
};

export function stateTone(state: string): StateTone {
  return TONES[state] ?? 'unknown';
}

/** "started" reads as "running" to people; the others keep Daytona's word. */
export function stateLabel(state: string): string {
  if (state === 'started') return 'running';
  return state.replaceAll('_', ' ');
}

export function StateBadge({ state }: { state: string }) {
  const tone = stateTone(state);
  return (
    <span className={`badge badge-${tone}`}>
      <span className="badge-dot" aria-hidden="true" />
      {stateLabel(state)}
    </span>
  );
}
