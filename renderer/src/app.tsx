import { useEffect, useState } from 'react';
import type { AppState, ViewName, ViewTarget } from '../../preload/contract.ts';
import { AppHeader } from './components/app-header.tsx';
import { BalanceView } from './components/balance-view.tsx';
import { Banner } from './components/banner.tsx';
import { Button } from './components/button.tsx';
import { ClientsView } from './components/clients-view.tsx';
import { NoticeProvider } from './components/notice.tsx';
import { Onboarding } from './components/onboarding.tsx';
import { SandboxesView, type SandboxFocus } from './components/sandboxes-view.tsx';
import { ServerView } from './components/server-view.tsx';
import { SettingsView } from './components/settings-view.tsx';
import { TabBar, panelId, tabId } from './components/tab-bar.tsx';
import { useAppState } from './hooks/use-app-state.ts';
import type { ViewRequests } from './view-requests.ts';

/** The tray window: onboarding on first run, then five views over one snapshot of main's state. */
export function App({ viewRequests }: { viewRequests: ViewRequests }) {
  const { state, error, retry } = useAppState();
  const [view, setView] = useState<ViewName>('sandboxes');
  // The sandbox main asked to show (a notification about it); `seq` tells a second ask for it from the first.
  const [focus, setFocus] = useState<SandboxFocus>();

  useEffect(
    () =>
      viewRequests.subscribe((target: ViewTarget) => {
        setView(target.view);
        setFocus((last) => (target.sandboxId ? { sandboxId: target.sandboxId, seq: (last?.seq ?? 0) + 1 } : undefined));
      }),
    [viewRequests],
  );
  const choose = (next: ViewName) => {
    setView(next);
    setFocus(undefined);
  };
  const ready = state !== undefined;
  useEffect(() => {
    // For the first-render figure in test/bench/renderer.bench.mjs: the first frame with real content.
    if (ready) performance.mark('daytona-tray:first-render');
  }, [ready]);

  if (!state) {
    return (
      <main className="boot">
        {error ? (
          <Banner tone="error" title="Could not load" action={<Button onClick={retry}>Try again</Button>}>
            {error.message}
          </Banner>
        ) : (
          <p className="muted" aria-busy="true">
            <span className="spinner" aria-hidden="true" /> Loading…
          </p>
        )}
      </main>
    );
  }

  return (
    <NoticeProvider>
      {state.firstRun ? <Onboarding state={state} /> : <Main state={state} view={view} onView={choose} focus={focus} />}
    </NoticeProvider>
  );
}

function Main({
  state,
  view,
  onView,
  focus,
}: {
  state: AppState;
  view: ViewName;
  onView(view: ViewName): void;
  focus: SandboxFocus | undefined;
}) {
  const errors = state.sandboxes.filter((sandbox) => sandbox.state === 'error' || sandbox.state === 'build_failed').length;
  const badges: Partial<Record<ViewName, string>> = {
    ...(state.sandboxes.length > 0 ? { sandboxes: String(state.sandboxes.length) } : {}),
    ...(state.server.state === 'failed' ? { server: '!' } : {}),
    ...(state.billing.creditsDepleted ? { balance: '!' } : {}),
  };
  return (
    <div className="shell">
      <AppHeader state={state} onServerClick={() => onView('server')} />
      <TabBar current={view} onSelect={onView} badges={badges} />
      <main
        id={panelId(view)}
        role="tabpanel"
        aria-labelledby={tabId(view)}
        className={`panel${errors > 0 && view === 'sandboxes' ? ' has-errors' : ''}`}
      >
        {view === 'sandboxes' ? <SandboxesView state={state} focus={focus} /> : null}
        {view === 'balance' ? <BalanceView state={state} /> : null}
        {view === 'clients' ? <ClientsView state={state} /> : null}
        {view === 'server' ? <ServerView state={state} /> : null}
        {view === 'settings' ? <SettingsView state={state} /> : null}
      </main>
    </div>
  );
}
