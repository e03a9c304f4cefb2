import type { AppState } from '../../../preload/contract.ts';
import { useBridge } from '../bridge.ts';
import { useAction } from '../hooks/use-action.ts';
import { ApiKeyForm } from './api-key-form.tsx';
import { Banner } from './banner.tsx';
import { Button } from './button.tsx';
import { LogoMark } from './logo-mark.tsx';

/** First run: bring a Daytona API key, or try the embedded local provider with no account at all. */
export function Onboarding({ state }: { state: AppState }) {
  const bridge = useBridge();
  const chooseLocal = useAction(bridge.useLocalProvider);
  const openKeys = useAction(bridge.openDashboard);

  return (
    <main className="onboarding" aria-labelledby="welcome-title">
      <div className="onboarding-hero">
        <LogoMark size={40} />
        <h1 id="welcome-title">Welcome to Daytona Tray</h1>
        <p className="muted">Sandboxes for your AI agents, one click away. Pick how to run them; you can change it later in Settings.</p>
      </div>

      <section className="card stack" aria-labelledby="cloud-title">
        <div>
          <h2 id="cloud-title">Use my Daytona account</h2>
          <p className="muted small">
            Paste an API key. It is checked with Daytona, then kept in your OS keychain, never on disk.{' '}
            <button type="button" className="link" onClick={() => void openKeys.run({ page: 'keys' })}>
              Get a key
            </button>
          </p>
        </div>
        <ApiKeyForm submitLabel="Check and save" {...(state.profile.apiUrl ? { apiUrl: state.profile.apiUrl } : {})} />
      </section>

      <div className="divider" role="presentation">
        <span>or</span>
      </div>

      <section className="card stack" aria-labelledby="local-title">
        <div>
          <h2 id="local-title">Try locally</h2>
          <p className="muted small">Run sandboxes on this computer: free, no account, nothing leaves your machine.</p>
        </div>
        {state.profile.isolation === 'none' ? (
          <Banner tone="warning" title="Not isolated">
            bubblewrap is not installed, so local sandboxes run as plain processes with your user's rights. Install bubblewrap (bwrap) to
            isolate them.
          </Banner>
        ) : null}
        {chooseLocal.error ? (
          <p className="error-text" role="alert">
            {chooseLocal.error.message}
          </p>
        ) : null}
        <div className="row">
          <Button onClick={() => void chooseLocal.run()} pending={chooseLocal.pending} pendingLabel="Starting…">
            Try locally
          </Button>
        </div>
      </section>
    </main>
  );
}
