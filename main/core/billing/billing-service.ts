import { fetchDaytonaConfig, isLocalProvider, type DaytonaConfig } from '../daytona-config.ts';
import { createDaytonaApi, type DaytonaApi } from '../daytona-api/daytona-api.ts';
import { failureOf } from '../http/http-errors.ts';
import { billingPeriod, fetchAggregatedUsage } from './analytics-client.ts';
import { formatUsd } from './money.ts';
import { fetchApiKeyOrganization, fetchOrganizations, pickOrganization, suspendedForCredits } from './organizations.ts';
import { burnRate, createSpendMeter, hoursLeft, type BurnRate, type PricedSandbox } from './rates.ts';
import { fetchWallet } from './wallet-client.ts';

export const DEFAULT_BALANCE_REFRESH_MS = 5 * 60_000;
const CONFIG_TTL_MS = 60 * 60_000;

/** A signed-in user's session, from the token manager (main/core/auth/token-manager.ts); null when signed out. */
export interface BillingSession {
  accessToken: string;
  organizationId?: string;
}

export type SpendView =
  { state: 'ok'; periodUsd: number; from: string; to: string } | { state: 'unavailable'; message: string } | { state: 'not-applicable' };

export type BalanceView =
  | {
      state: 'ok';
      cents: number;
      usd: number;
      spentThisPeriodUsd: number | undefined;
      hoursLeft: number;
      billingType: string | undefined;
      updatedAt: string;
    }
  | { state: 'sign-in'; message: string }
  | { state: 'unavailable'; message: string }
  | { state: 'not-applicable' };

export interface BillingView {
  mode: 'cloud' | 'local';
  /** What the tray prints next to the numbers: "local — free" for the local provider. */
  label: string;
  /** The live estimate. For the local profile: what the same sandboxes would cost on Daytona Cloud. */
  burn: BurnRate & { todayUsd: number; todaySince: string };
  spend: SpendView;
  balance: BalanceView;
  organizationId: string | undefined;
  /** The organization is suspended for lack of credits (known with a sign-in). */
  creditsDepleted: boolean;
  suspensionReason: string | undefined;
}

export interface BillingServiceOptions {
  apiUrl: string;
  /** The profile's API key (cloud); analytics accepts it. */
  apiKey?: string;
  /** Known up front for the local profile; otherwise /config decides. */
  local?: boolean;
  session?: () => Promise<BillingSession | null>;
  /** The watcher's snapshot. */
  sandboxes: () => Iterable<PricedSandbox & { organizationId?: string }>;
  /** The profile's Daytona client (its credentials are not used here: each call picks the API key or the sign-in). */
  api?: DaytonaApi;
  now?: () => number;
  timeoutMs?: number;
  /** Wallet and spend refresh period (settings polling.balanceMs). */
  refreshMs?: number;
  log?: (line: string) => void;
}

export interface BillingService {
  /** Fetches spend and balance now; never throws (failures land in the view as messages). */
  refresh(): Promise<BillingView>;
  /** The latest view with a fresh burn estimate. */
  view(): BillingView;
  /** Call on every watcher change so "$ today" integrates the right rate. */
  sandboxesChanged(): void;
  start(): void;
  stop(): void;
  onUpdate(listener: (view: BillingView) => void): () => void;
}

export const SIGN_IN_FOR_BALANCE = 'Sign in to see balance';

/**
 * Credit balance and spend for the active profile (docs/daytona-api.md §9): a burn-rate estimate from
 * the sandboxes at Daytona's published rates, always; spend this billing period from the analytics API
 * where it answers (an API key is enough); the wallet balance once signed in. The local profile is free,
 * and shows what its sandboxes would cost on Daytona Cloud.
 */
export function createBillingService(options: BillingServiceOptions): BillingService {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const call = options.timeoutMs ? { timeoutMs: options.timeoutMs } : {};
  const noCredentials = () => Promise.reject(new Error('This call needs an API key or a sign-in.'));
  // A client made here is closed by stop(); one passed in belongs to whoever made it.
  const ownApi = options.api ? undefined : createDaytonaApi({ apiUrl, credentials: noCredentials });
  const api = options.api ?? ownApi!;
  const withKey = (apiKey: string) => api.withCredentials(() => ({ token: apiKey }));
  const asUser = (session: BillingSession) =>
    api.withCredentials(() => ({
      token: session.accessToken,
      ...(session.organizationId ? { organizationId: session.organizationId } : {}),
    }));
  const meter = createSpendMeter({ now });
  const listeners = new Set<(view: BillingView) => void>();
  let config: { value: DaytonaConfig; at: number } | undefined;
  let apiKeyOrganization: string | undefined;
  let local = options.local ?? false;
  let spend: SpendView = { state: 'unavailable', message: 'Not loaded yet.' };
  let balance: BalanceView = options.local ? { state: 'not-applicable' } : { state: 'unavailable', message: 'Not loaded yet.' };
  let organizationId: string | undefined;
  let creditsDepleted = false;
  let suspensionReason: string | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let inFlight: Promise<BillingView> | undefined;

  function currentBurn(): BurnRate {
    return burnRate(options.sandboxes());
  }

  function view(): BillingView {
    const burn = currentBurn();
    meter.update(burn.perHourUsd);
    let shownBalance = balance;
    if (balance.state === 'ok') shownBalance = { ...balance, hoursLeft: hoursLeft(balance.usd, burn.perHourUsd) };
    return {
      mode: local ? 'local' : 'cloud',
      label: local ? 'local — free' : 'Daytona Cloud',
      burn: { ...burn, todayUsd: meter.todayUsd(), todaySince: new Date(meter.since()).toISOString() },
      spend: local ? { state: 'not-applicable' } : spend,
      balance: local ? { state: 'not-applicable' } : shownBalance,
      organizationId,
      creditsDepleted,
      suspensionReason,
    };
  }

  async function loadConfig(): Promise<DaytonaConfig> {
    if (config && now() - config.at < CONFIG_TTL_MS) return config.value;
    const value = await fetchDaytonaConfig(api, call);
    config = { value, at: now() };
    return value;
  }

  async function refreshSpend(cfg: DaytonaConfig, session: BillingSession | null): Promise<void> {
    if (!cfg.analyticsApiUrl) {
      spend = { state: 'unavailable', message: 'This Daytona has no analytics API, so spend is estimated from the burn rate only.' };
      return;
    }
    let caller: DaytonaApi | undefined;
    let organization: string | undefined;
    if (options.apiKey) {
      caller = withKey(options.apiKey);
      apiKeyOrganization ??= await fetchApiKeyOrganization(caller, call).catch(() => undefined);
      organization = apiKeyOrganization ?? firstOrganizationOfSandboxes();
    } else if (session?.organizationId) {
      caller = asUser(session);
      organization = session.organizationId;
    }
    if (!caller || !organization) {
      spend = { state: 'unavailable', message: 'Spend needs the organization id: add an API key or sign in.' };
      return;
    }
    try {
      const usage = await fetchAggregatedUsage(caller, cfg.analyticsApiUrl, organization, billingPeriod(now()), call);
      spend = { state: 'ok', periodUsd: usage.totalUsd, from: usage.from, to: usage.to };
    } catch (error) {
      spend = { state: 'unavailable', message: `Spend is not available: ${explain(error, 'the analytics API')}` };
    }
  }

  function firstOrganizationOfSandboxes(): string | undefined {
    for (const sandbox of options.sandboxes()) if (sandbox.organizationId) return sandbox.organizationId;
    return undefined;
  }

  async function refreshBalance(cfg: DaytonaConfig, session: BillingSession | null): Promise<void> {
    if (!session) {
      balance = { state: 'sign-in', message: SIGN_IN_FOR_BALANCE };
      return;
    }
    try {
      const organizations = await fetchOrganizations(asUser({ accessToken: session.accessToken }), call);
      const organization = pickOrganization(organizations, session.organizationId);
      if (!organization) {
        balance = { state: 'unavailable', message: 'This account belongs to no organization, so it has no wallet.' };
        return;
      }
      organizationId = organization.id;
      creditsDepleted = suspendedForCredits(organization);
      suspensionReason = organization.suspended ? (organization.suspensionReason ?? undefined) : undefined;
    } catch (error) {
      balance = { state: 'unavailable', message: `Balance is not available: ${explain(error, 'Daytona')}` };
      return;
    }
    if (!cfg.billingApiUrl) {
      balance = { state: 'unavailable', message: 'This Daytona has no billing (typical for self-hosted), so there is no balance to show.' };
      return;
    }
    try {
      const wallet = await fetchWallet(asUser(session), cfg.billingApiUrl, organizationId, call);
      const usd = wallet.balanceCents / 100;
      balance = {
        state: 'ok',
        cents: wallet.balanceCents,
        usd,
        spentThisPeriodUsd: wallet.spentThisPeriodCents === undefined ? undefined : wallet.spentThisPeriodCents / 100,
        hoursLeft: hoursLeft(usd, currentBurn().perHourUsd),
        billingType: wallet.billingType,
        updatedAt: new Date(now()).toISOString(),
      };
    } catch (error) {
      const owner = failureOf(error).kind === 'forbidden' ? ' Daytona shows the wallet to organization owners only.' : '';
      balance = { state: 'unavailable', message: `Balance is not available: ${explain(error, 'the billing API')}${owner}` };
    }
  }

  async function doRefresh(): Promise<BillingView> {
    let session: BillingSession | null = null;
    try {
      const cfg = await loadConfig();
      local = options.local ?? isLocalProvider(cfg);
      if (!local) {
        let sessionProblem: string | undefined;
        try {
          session = options.session ? await options.session() : null;
        } catch (error) {
          // e.g. the refresh token was refused: the message says to sign in again.
          sessionProblem = (error as Error).message;
        }
        await refreshSpend(cfg, session);
        if (sessionProblem) balance = { state: 'sign-in', message: `${SIGN_IN_FOR_BALANCE}: ${sessionProblem}` };
        else await refreshBalance(cfg, session);
      }
    } catch (error) {
      const message = `Could not read ${apiUrl}/config: ${(error as Error).message}`;
      log(message);
      spend = { state: 'unavailable', message };
      if (!local) balance = { state: 'unavailable', message };
    }
    const current = view();
    for (const listener of listeners) listener(current);
    return current;
  }

  return {
    refresh() {
      inFlight ??= doRefresh().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    view,
    sandboxesChanged() {
      meter.update(currentBurn().perHourUsd);
    },
    start() {
      if (timer) return;
      void this.refresh();
      timer = setInterval(() => {
        void this.refresh();
      }, options.refreshMs ?? DEFAULT_BALANCE_REFRESH_MS);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      ownApi?.close();
    },
    onUpdate(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function explain(error: unknown, who: string): string {
  const { kind } = failureOf(error);
  if (kind === 'unauthorized') return `${who} did not accept the credentials (401).`;
  if (kind === 'forbidden') return `${who} refused access (403).`;
  return (error as Error).message;
}

/** One line for menus and the CLI: "$0.42/h · $3.10 today · balance $12.00 (~28 h)". */
export function summarizeBilling(view: BillingView): string {
  const parts = [`${formatUsd(view.burn.perHourUsd)}/h`, `${formatUsd(view.burn.todayUsd)} today`];
  if (view.mode === 'local') return `${view.label} (on Daytona Cloud: ${parts.join(' · ')})`;
  if (view.spend.state === 'ok') parts.push(`${formatUsd(view.spend.periodUsd)} this month`);
  if (view.balance.state === 'ok') {
    const left = Number.isFinite(view.balance.hoursLeft) ? ` (~${Math.floor(view.balance.hoursLeft)} h left)` : '';
    parts.push(`balance ${formatUsd(view.balance.usd)}${left}`);
  } else if (view.balance.state === 'sign-in') {
    parts.push(view.balance.message.toLowerCase());
  }
  return parts.join(' · ');
}
