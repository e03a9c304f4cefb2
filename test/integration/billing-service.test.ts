import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAlertPolicy } from '../../main/core/alerts/alert-policy.ts';
import type { Alert } from '../../main/core/alerts/alert-types.ts';
import { createBillingService, summarizeBilling, type BillingServiceOptions } from '../../main/core/billing/billing-service.ts';
import { isCreditsDepleted } from '../../main/core/billing/organizations.ts';
import type { PricedSandbox } from '../../main/core/billing/rates.ts';
import { startTestProvider } from '../helpers/local-provider.ts';

const API_KEY = 'dtn_test_key';
const JWT = 'user-access-token';

/**
 * Daytona's API, analytics and billing services on one loopback server, answering with the shapes of
 * docs/daytona-api.md §8-9; each test can change what it says.
 */
interface Script {
  config: Record<string, unknown>;
  wallet: { status: number; body: unknown };
  analytics: { status: number; body: unknown };
  organizations: unknown[];
}
let server: Server;
let base: string;
let script: Script;
const seen: { path: string; query: URLSearchParams; auth: string | undefined; org: string | undefined }[] = [];

function defaults(): Script {
  return {
    config: {
      version: '0.218.0',
      billingApiUrl: `${base}/billing`,
      analyticsApiUrl: `${base}/analytics`,
      oidc: { issuer: 'https://auth.example', clientId: 'c', provider: 'auth0' },
    },
    wallet: {
      status: 200,
      body: {
        balanceCents: 5000,
        ongoingBalanceCents: 4200,
        billingType: 'pre-paid',
        creditCardConnected: true,
        automaticTopUp: { disabled: false, thresholdAmount: 10, targetAmount: 50 },
      },
    },
    analytics: {
      status: 200,
      body: {
        firstStart: '2026-03-01T00:00:00Z',
        lastEnd: '2026-03-10T00:00:00Z',
        sandboxCount: 3,
        totalCPUSeconds: 1,
        totalRAMGBSeconds: 1,
        totalDiskGBSeconds: 1,
        totalGPUSeconds: 0,
        totalPrice: 12.34,
      },
    },
    organizations: [
      { id: 'org-team', name: 'Team', personal: false, suspended: false },
      { id: 'org-1', name: 'Personal', personal: true, suspended: false, suspensionReason: null },
    ],
  };
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', base);
    seen.push({
      path: url.pathname,
      query: url.searchParams,
      auth: req.headers.authorization,
      org: req.headers['x-daytona-organization-id'] as string | undefined,
    });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const bearer = req.headers.authorization?.replace(/^Bearer /, '');
    switch (url.pathname) {
      case '/api/config':
        return send(200, script.config);
      case '/api/api-keys/current':
        return bearer === API_KEY
          ? send(200, { name: 'tray', organizationId: 'org-1', permissions: ['read:sandboxes'] })
          : send(401, { statusCode: 401, message: 'Invalid API key' });
      case '/api/organizations':
        // Daytona's OrganizationsController takes user tokens only.
        return bearer === JWT ? send(200, script.organizations) : send(401, { statusCode: 401, message: 'Unauthorized' });
      case '/analytics/organization/org-1/usage/aggregated':
        return send(script.analytics.status, script.analytics.body);
      case '/billing/v2/organization/org-1/wallet':
        return bearer === JWT ? send(script.wallet.status, script.wallet.body) : send(401, { statusCode: 401, message: 'Unauthorized' });
      default:
        return send(404, { statusCode: 404, message: `no route ${url.pathname}` });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

beforeEach(() => {
  script = defaults();
  seen.length = 0;
});

const sandboxes: (PricedSandbox & { organizationId?: string })[] = [
  { state: 'started', cpu: 2, memory: 4, disk: 10, organizationId: 'org-1' },
  { state: 'started', cpu: 1, memory: 1, disk: 3, organizationId: 'org-1' },
  { state: 'stopped', cpu: 4, memory: 8, disk: 20, organizationId: 'org-1' },
];
const perHour = 3 * 0.0504 + 5 * 0.0162 + 33 * 0.000108;
const NOW = Date.parse('2026-03-10T15:30:00.000Z');

function service(extra: Partial<BillingServiceOptions> = {}) {
  return createBillingService({ apiUrl: `${base}/api`, apiKey: API_KEY, sandboxes: () => sandboxes, now: () => NOW, ...extra });
}

describe('billing service against Daytona-shaped analytics and billing APIs', () => {
  it('with an API key alone: spend this month from analytics, a live burn estimate, and "sign in to see balance"', async () => {
    const view = await service().refresh();
    expect(view.mode).toBe('cloud');
    expect(view.burn.perHourUsd).toBeCloseTo(perHour, 10);
    expect(view.burn).toMatchObject({ running: 2, diskOnly: 1 });
    expect(view.spend).toEqual({ state: 'ok', periodUsd: 12.34, from: '2026-03-01T00:00:00.000Z', to: '2026-03-10T15:30:00.000Z' });
    expect(view.balance).toEqual({ state: 'sign-in', message: 'Sign in to see balance' });
    const analytics = seen.find((request) => request.path.startsWith('/analytics'))!;
    expect(analytics.auth).toBe(`Bearer ${API_KEY}`);
    expect(Object.fromEntries(analytics.query)).toEqual({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-10T15:30:00.000Z' });
    // The organization came from the key itself.
    expect(seen.map((request) => request.path)).toContain('/api/api-keys/current');
    expect(summarizeBilling(view)).toBe(`$${perHour.toFixed(2)}/h · $0.00 today · $12.34 this month · sign in to see balance`);
  });

  it('signed in: the wallet balance (ongoingBalanceCents / 100), spent this period and hours left at the burn rate', async () => {
    const view = await service({ session: async () => ({ accessToken: JWT }) }).refresh();
    expect(view.organizationId).toBe('org-1');
    expect(view.balance).toMatchObject({
      state: 'ok',
      cents: 4200,
      usd: 42,
      spentThisPeriodUsd: 8,
      billingType: 'pre-paid',
      updatedAt: new Date(NOW).toISOString(),
    });
    expect(view.balance.state === 'ok' && view.balance.hoursLeft).toBeCloseTo(42 / perHour, 6);
    const wallet = seen.find((request) => request.path.includes('/wallet'))!;
    expect(wallet.auth).toBe(`Bearer ${JWT}`);
    // The organization is in the path; billing calls carry no organization header.
    expect(wallet.org).toBeUndefined();
    expect(summarizeBilling(view)).toMatch(/balance \$42\.00 \(~\d+ h left\)$/);
  });

  it('without an API key, analytics is asked with the user token and the organization header', async () => {
    const view = await service({ apiKey: undefined, session: async () => ({ accessToken: JWT, organizationId: 'org-1' }) }).refresh();
    expect(view.spend).toMatchObject({ state: 'ok', periodUsd: 12.34 });
    const analytics = seen.find((request) => request.path.startsWith('/analytics'))!;
    expect(analytics).toMatchObject({ auth: `Bearer ${JWT}`, org: 'org-1' });
  });

  it('explains a wallet refused to a non-owner and analytics that refuses the key, and keeps the burn estimate', async () => {
    script.wallet = { status: 403, body: { statusCode: 403, message: 'Forbidden resource' } };
    script.analytics = { status: 401, body: { statusCode: 401, message: 'Unauthorized' } };
    const view = await service({ session: async () => ({ accessToken: JWT }) }).refresh();
    expect(view.balance).toMatchObject({ state: 'unavailable' });
    expect(view.balance.state === 'unavailable' && view.balance.message).toMatch(
      /refused access \(403\)\. Daytona shows the wallet to organization owners only\./,
    );
    expect(view.spend).toMatchObject({ state: 'unavailable' });
    expect(view.spend.state === 'unavailable' && view.spend.message).toMatch(/did not accept the credentials \(401\)/);
    expect(view.burn.perHourUsd).toBeCloseTo(perHour, 10);
  });

  it('says so when this Daytona has no billing or analytics (self-hosted)', async () => {
    script.config = { version: '0.190.0', oidc: { issuer: 'https://auth.example', clientId: 'c' } };
    const view = await service({ session: async () => ({ accessToken: JWT }) }).refresh();
    expect(view.spend).toEqual({
      state: 'unavailable',
      message: 'This Daytona has no analytics API, so spend is estimated from the burn rate only.',
    });
    expect(view.balance).toEqual({
      state: 'unavailable',
      message: 'This Daytona has no billing (typical for self-hosted), so there is no balance to show.',
    });
  });

  it('asks to sign in again when the sign-in cannot be renewed', async () => {
    const view = await service({
      session: async () => {
        throw new Error('Your Daytona sign-in has expired or was revoked (invalid_grant): sign in again.');
      },
    }).refresh();
    expect(view.balance).toEqual({
      state: 'sign-in',
      message: 'Sign in to see balance: Your Daytona sign-in has expired or was revoked (invalid_grant): sign in again.',
    });
  });

  it('sees an organization suspended for depleted credits, and the policy warns once; a low balance warns too', async () => {
    script.organizations = [
      { id: 'org-1', personal: true, suspended: true, suspensionReason: 'Credits depleted', suspendedAt: '2026-03-10T12:00:00Z' },
    ];
    script.wallet = { status: 200, body: { balanceCents: 0, ongoingBalanceCents: -150 } };
    const billing = service({ session: async () => ({ accessToken: JWT }) });
    const alerts: Alert[] = [];
    const policy = createAlertPolicy({
      notifier: { notify: (alert) => alerts.push(alert) },
      settings: () => ({ lowBalanceThresholdCents: 500 }),
      coalesceMs: 0,
      minGapMs: 0,
    });
    billing.onUpdate((view) => {
      policy.onCreditsDepleted(view.creditsDepleted, view.suspensionReason);
      if (view.balance.state === 'ok') policy.onBalance({ balanceCents: view.balance.cents, hoursLeft: view.balance.hoursLeft });
    });
    const view = await billing.refresh();
    await billing.refresh();
    expect(view).toMatchObject({
      creditsDepleted: true,
      suspensionReason: 'Credits depleted',
      balance: { state: 'ok', usd: -1.5, hoursLeft: 0 },
    });
    await expect.poll(() => alerts.map((alert) => alert.kind).sort()).toEqual(['credits-depleted', 'low-balance']);
    expect(alerts.find((alert) => alert.kind === 'low-balance')!.body).toContain(
      '-$1.50 left, below your $5.00 warning level. About 0 min left',
    );
    policy.dispose();
  });

  it('recognises the 403 Daytona gives creates once credits run out', () => {
    expect(isCreditsDepleted(403, 'Organization is suspended: Credits depleted')).toBe(true);
    expect(isCreditsDepleted(403, 'Forbidden resource')).toBe(false);
    expect(isCreditsDepleted(400, 'Organization is suspended: Credits depleted')).toBe(false);
  });

  it('reports an unreachable API without throwing', async () => {
    const view = await createBillingService({ apiUrl: 'http://127.0.0.1:1/api', apiKey: API_KEY, sandboxes: () => sandboxes }).refresh();
    expect(view.spend.state === 'unavailable' && view.spend.message).toMatch(
      /^Could not read http:\/\/127\.0\.0\.1:1\/api\/config: Could not reach/,
    );
    expect(view.burn.perHourUsd).toBeCloseTo(perHour, 10);
  });
});

describe('billing service on the local provider', () => {
  it('is "local — free" and shows what the same sandboxes would cost on Daytona Cloud', async () => {
    const t = await startTestProvider();
    try {
      await t.daytona.create({ name: 'priced', resources: { cpu: 2, memory: 4, disk: 8 }, image: 'python:3.12-slim' });
      const listed: { state?: string; cpu: number; memory: number; disk: number }[] = [];
      for await (const sandbox of t.daytona.list()) listed.push(sandbox);
      const view = await createBillingService({
        apiUrl: t.provider.apiUrl,
        apiKey: t.provider.apiKey,
        sandboxes: () => listed.map((s) => ({ state: s.state ?? 'unknown', cpu: s.cpu, memory: s.memory, disk: s.disk })),
      }).refresh();
      expect(view).toMatchObject({
        mode: 'local',
        label: 'local — free',
        spend: { state: 'not-applicable' },
        balance: { state: 'not-applicable' },
      });
      expect(view.burn.perHourUsd).toBeCloseTo(2 * 0.0504 + 4 * 0.0162 + 8 * 0.000108, 10);
      expect(summarizeBilling(view)).toMatch(/^local — free \(on Daytona Cloud: \$0\.17\/h · \$0\.00 today\)$/);
    } finally {
      await t.stop();
    }
  });
});
