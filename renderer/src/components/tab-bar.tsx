import { useRef, type KeyboardEvent } from 'react';
import type { ViewName } from '../../../preload/contract.ts';

export const VIEWS: { id: ViewName; label: string }[] = [
  { id: 'sandboxes', label: 'Sandboxes' },
  { id: 'balance', label: 'Balance' },
  { id: 'clients', label: 'Clients' },
  { id: 'server', label: 'Server' },
  { id: 'settings', label: 'Settings' },
];

export const tabId = (view: ViewName) => `tab-${view}`;
export const panelId = (view: ViewName) => `panel-${view}`;

/** WAI-ARIA tabs: one tab stop, arrow keys (and Home/End) move between tabs and select them. */
export function TabBar({
  current,
  onSelect,
  badges,
}: {
  current: ViewName;
  onSelect(view: ViewName): void;
  badges?: Partial<Record<ViewName, string>>;
}) {
  const refs = useRef(new Map<ViewName, HTMLButtonElement>());
  function onKeyDown(event: KeyboardEvent) {
    const index = VIEWS.findIndex((view) => view.id === current);
    const next =
      event.key === 'ArrowRight'
        ? (index + 1) % VIEWS.length
        : event.key === 'ArrowLeft'
          ? (index - 1 + VIEWS.length) % VIEWS.length
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? VIEWS.length - 1
              : undefined;
    if (next === undefined) return;
    event.preventDefault();
    const view = VIEWS[next]!.id;
    onSelect(view);
    refs.current.get(view)?.focus();
  }
  return (
    <nav className="tabs" role="tablist" aria-label="Views" onKeyDown={onKeyDown}>
      {VIEWS.map((view) => (
        <button
          key={view.id}
          ref={(element) => {
            if (element) refs.current.set(view.id, element);
            else refs.current.delete(view.id);
          }}
          id={tabId(view.id)}
          type="button"
          role="tab"
          className="tab"
          aria-selected={current === view.id}
          aria-controls={panelId(view.id)}
          tabIndex={current === view.id ? 0 : -1}
          onClick={() => onSelect(view.id)}
        >
          {view.label}
          {badges?.[view.id] ? (
            <span className="tab-badge" aria-label={`(${badges[view.id]})`}>
              {badges[view.id]}
            </span>
          ) : null}
        </button>
      ))}
    </nav>
  );
}
