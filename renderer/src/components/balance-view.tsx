import type { AppState } from '../../../preload/contract.ts';
import { useBridge } from '../bridge.ts';
import { formatDate, formatHoursLeft, formatTime, formatUsd } from '../format.ts';
import { useAction } from '../hooks/use-action.ts';
import { Banner } from './banner.tsx';
import { Button } from './button.tsx';
import { RefreshIcon } from './icons.tsx';
import { SignInButton } from './sign-in-button.tsx';

/** Balance (after sign-in), spend this period, and the live burn rate with the hours it leaves. */
export function BalanceView({ state }: { state: AppState }) {
  const bridge = useBridge();
  const refresh = useAction(bridge.refreshBalance);
  const topUp = useAction(bridge.openDashboard);
  const { billing, account } = state;
  const { balance, spend, burn } = billing;
  const local = billing.mode === 'local';

  return (
    <section className="view stack" aria-labelledby="balance-title">
      <h2 id="balance-title" className="sr-only">
        Balance
      </h2>
      {billing.creditsDepleted ? (
        <Banner
          tone="error"
          title="Out of credits"
          action={
            <Button size="small" variant="primary" onClick={() => void topUp.run({ page: 'billing' })}>
              Top up
            </Button>
          }
        >
          {billing.suspensionReason ?? 'Your organization is suspended until you add credits. Sandboxes cannot start.'}
        </Banner>
      ) : null}

      <div className="card" role="group" aria-label="Balance">
        <div className="card-label">
          <span>Balance</span>
          {balance.state === 'ok' ? (
            <Button
              size="small"
              variant="ghost"
              onClick={() => void refresh.run()}
              pending={refresh.pending}
              aria-label="Refresh the balance"
              title="Refresh"
            >
              <RefreshIcon />
            </Button>
          ) : null}
        </div>
        {local ? (
          <>
            <p className="figure">Local — free</p>
            <p className="muted small">Sandboxes run on this computer. Nothing is billed.</p>
          </>
        ) : balance.state === 'ok' ? (
          <>
            <p className="figure">{formatUsd(balance.usd)}</p>
            <p className="muted small">
              {formatHoursLeft(balance.hoursLeft)} at the current rate · updated {formatTime(balance.updatedAt)}
            </p>
          </>
        ) : balance.state === 'sign-in' ? (
          <div className="stack tight">
            <p className="figure muted">—</p>
            <p className="muted small">Sign in to see balance. An API key shows usage, but not the wallet.</p>
            {account.state === 'unavailable' ? <p className="muted small">{account.reason}</p> : <SignInButton account={account} />}
          </div>
        ) : balance.state === 'unavailable' ? (
          <Banner tone="warning">{balance.message}</Banner>
        ) : (
          <p className="muted small">This Daytona server does not report a balance.</p>
        )}
        {refresh.error ? (
          <p className="error-text" role="alert">
            {refresh.error.message}
          </p>
        ) : null}
      </div>

      <div className="card" role="group" aria-label="Burn rate">
        <div className="card-label">
          <span>Burn rate</span>
          {local ? <span className="card-aside">if it ran on Daytona Cloud</span> : null}
        </div>
        <p className="figure">
          {formatUsd(burn.perHourUsd)}
          <span className="figure-unit">/h</span>
        </p>
        <p className="muted small">
          {formatUsd(burn.perDayUsd)}/day · {burn.running} running · {burn.diskOnly} disk only
        </p>
        {!local ? (
          <p className="muted small">
            About {formatUsd(burn.todayUsd)} since {formatTime(burn.todaySince)}
          </p>
        ) : null}
        {burn.gpuNotPriced > 0 ? (
          <p className="muted small">{burn.gpuNotPriced} GPU sandbox(es) not included: GPUs have no published rate.</p>
        ) : null}
      </div>

      {spend.state !== 'not-applicable' && !local ? (
        <div className="card" role="group" aria-label="This billing period">
          <div className="card-label">
            <span>This billing period</span>
          </div>
          {spend.state === 'ok' ? (
            <>
              <p className="figure">{formatUsd(spend.periodUsd)}</p>
              <p className="muted small">spent since {formatDate(spend.from)}</p>
            </>
          ) : (
            <p className="muted small">{spend.message}</p>
          )}
        </div>
      ) : null}
    </section>
  );
}
