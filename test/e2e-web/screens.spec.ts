import { expect, expectScreen, openWindow, test } from './window-page.ts';

/**
 * The main screens in light and dark, at the window's real size (380x560, 2x), compared with committed
 * baselines (test/e2e-web/__screenshots__), so a broken layout fails. Each also checks the screen fits
 * 380 px without sideways scrolling. The page's clock, time zone and locale are fixed: dates and
 * countdowns render the same on every run and machine.
 */
test.use({ deviceScaleFactor: 2, timezoneId: 'UTC', locale: 'en-US' });
test.beforeEach(async ({ page }) => {
  await page.clock.setFixedTime(new Date('2026-03-02T10:00:00Z'));
});

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`${scheme} screens`, () => {
    test.use({ colorScheme: scheme });

    test(`first run (${scheme})`, async ({ page }) => {
      await openWindow(page, 'first-run');
      await expect(page.getByRole('heading', { name: 'Welcome to Daytona Tray' })).toBeVisible();
      await expectNoSidewaysScroll(page);
      await expectScreen(page, `first-run-${scheme}`);
    });

    test(`sandboxes (${scheme})`, async ({ page }) => {
      await openWindow(page);
      await expect(page.getByRole('heading', { name: 'web-preview' })).toBeVisible();
      await expectNoSidewaysScroll(page);
      await expectScreen(page, `sandboxes-${scheme}`);
    });

    test(`balance, signed in (${scheme})`, async ({ page }) => {
      await openWindow(page);
      await page.evaluate(() => {
        const state = window.fakeBridge.state();
        window.fakeBridge.emitState({
          account: { state: 'signed-in', email: 'ada@example.com', organizationName: 'Ada Labs' },
          billing: {
            ...state.billing,
            balance: {
              state: 'ok',
              cents: 4250,
              usd: 42.5,
              spentThisPeriodUsd: 18.42,
              hoursLeft: 254.6,
              billingType: 'prepaid',
              updatedAt: new Date().toISOString(),
            },
          },
        });
      });
      await page.getByRole('tab', { name: 'Balance' }).click();
      await expect(page.getByText('$42.50')).toBeVisible();
      await expectNoSidewaysScroll(page);
      await expectScreen(page, `balance-${scheme}`);
    });

    test(`clients with a dry-run diff (${scheme})`, async ({ page }) => {
      await openWindow(page);
      await page.getByRole('tab', { name: 'Clients' }).click();
      await page
        .getByRole('listitem', { name: 'Claude Desktop' })
        .getByRole('button', { name: /Show what connecting changes/ })
        .click();
      await expect(page.getByLabel(/Changes to/)).toBeVisible();
      await expectNoSidewaysScroll(page);
      await expectScreen(page, `clients-${scheme}`);
    });

    test(`server (${scheme})`, async ({ page }) => {
      await openWindow(page);
      await page.getByRole('tab', { name: 'Server' }).click();
      await expect(page.getByText('Running on port 49213')).toBeVisible();
      await expect(page.getByLabel('Server log')).toContainText('listening on');
      await expect(page.getByRole('button', { name: 'Open log file' })).toBeVisible();
      await expectNoSidewaysScroll(page);
      await expectScreen(page, `server-${scheme}`);
    });

    test(`settings (${scheme})`, async ({ page }) => {
      await openWindow(page);
      await page.getByRole('tab', { name: 'Settings' }).click();
      await expect(page.getByText('••••••••7f3a')).toBeVisible();
      await expectNoSidewaysScroll(page);
      await expectScreen(page, `settings-${scheme}`);
      await page.locator('.panel').evaluate((panel) => panel.scrollTo(0, panel.scrollHeight));
      await expectScreen(page, `settings-end-${scheme}`);
    });
  });
}

test('sandboxes on the local provider, one not isolated, one auto-stopping soon', async ({ page }) => {
  await openWindow(page);
  await page.evaluate(() => {
    const { sampleSandbox, notIsolated } = window.fakeSamples;
    const state = window.fakeBridge.state();
    const now = Date.now();
    window.fakeBridge.emitState({
      profile: { ...state.profile, name: 'local', kind: 'local', apiKey: { set: false }, isolation: 'none' },
      billing: {
        ...state.billing,
        mode: 'local',
        label: 'local — free',
        balance: { state: 'not-applicable' },
        spend: { state: 'not-applicable' },
      },
      sandboxes: [
        notIsolated(sampleSandbox({ id: 'local-1', name: 'agent-scratch', autoStopAt: new Date(now + 4 * 60_000 + 5_000).toISOString() })),
        notIsolated(sampleSandbox({ id: 'local-2', name: 'notebook', state: 'starting' })),
      ],
    });
  });
  await expect(page.getByText('not isolated').first()).toBeVisible();
  await expectScreen(page, 'sandboxes-local-light');
});

test('delete confirmation', async ({ page }) => {
  await openWindow(page);
  await page.getByRole('listitem', { name: 'web-preview' }).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await expectScreen(page, 'delete-confirm-light');
});

test('a rejected key on the first run', async ({ page }) => {
  await openWindow(page, 'first-run');
  await page.evaluate(() =>
    window.fakeBridge.failNext('saveApiKey', {
      code: 'rejected',
      message:
        'API key rejected by https://app.daytona.io/api (401). Check that you copied the whole key, or create a new one in the Daytona dashboard (Keys), then try again.',
    }),
  );
  await page.getByLabel('API key').fill('dtn_wrong');
  await page.getByRole('button', { name: 'Check and save' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expectScreen(page, 'first-run-rejected-light');
});

async function expectNoSidewaysScroll(page: import('@playwright/test').Page): Promise<void> {
  const overflow = await page.evaluate(() => {
    const scrollers = [document.documentElement, ...document.querySelectorAll<HTMLElement>('.panel, .onboarding')];
    return scrollers.map((element) => element.scrollWidth - element.clientWidth).filter((extra) => extra > 0);
  });
  expect(overflow).toEqual([]);
}
