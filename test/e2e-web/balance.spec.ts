import { callsOf, expect, holdNext, openWindow, release, test } from './window-page.ts';

async function openBalance(page: import('@playwright/test').Page) {
  await openWindow(page);
  await page.getByRole('tab', { name: 'Balance' }).click();
}

test.describe('balance', () => {
  test('signed out: "sign in to see balance", with the burn rate and this period\'s spend', async ({ page }) => {
    await openBalance(page);
    const balance = page.getByRole('group', { name: 'Balance', exact: true });
    await expect(balance).toContainText('Sign in to see balance');
    await expect(balance.getByRole('button', { name: 'Sign in with Daytona' })).toBeVisible();
    const burn = page.getByRole('group', { name: 'Burn rate' });
    await expect(burn).toContainText('$0.17/h');
    await expect(burn).toContainText('$4.01/day · 1 running · 2 disk only');
    await expect(burn).toContainText('About $1.27 since');
    await expect(page.getByRole('group', { name: 'This billing period' })).toContainText('$18.42');
  });

  test('sign in goes through the contract and the wallet appears with the hours it lasts', async ({ page }) => {
    await openBalance(page);
    await holdNext(page, 'signIn');
    await page.getByRole('button', { name: 'Sign in with Daytona' }).click();
    await expect(page.getByRole('button', { name: 'Waiting for the browser…' })).toBeDisabled();
    await release(page, 'signIn');
    const balance = page.getByRole('group', { name: 'Balance', exact: true });
    await expect(balance).toContainText('$42.50');
    await expect(balance).toContainText(/about \d+ days left at the current rate/);
    expect(await callsOf(page, 'signIn')).toEqual([undefined]);

    await balance.getByRole('button', { name: 'Refresh the balance' }).click();
    await expect.poll(() => callsOf(page, 'refreshBalance')).toEqual([undefined]);
  });

  test('sign-in can be cancelled while the browser is open', async ({ page }) => {
    await openBalance(page);
    await holdNext(page, 'signIn');
    await page.getByRole('button', { name: 'Sign in with Daytona' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await callsOf(page, 'cancelSignIn')).toEqual([undefined]);
    await release(page, 'signIn');
  });

  test('a sign-in in progress elsewhere (tray menu) shows as waiting', async ({ page }) => {
    await openBalance(page);
    await page.evaluate(() => window.fakeBridge.emitState({ account: { state: 'signing-in' } }));
    await expect(page.getByRole('button', { name: 'Waiting for the browser…' })).toBeDisabled();
  });

  test('local provider: free, and what the same sandboxes would cost on Daytona Cloud', async ({ page }) => {
    await openBalance(page);
    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({
        account: { state: 'unavailable', reason: 'The local provider has no account.' },
        billing: {
          ...state.billing,
          mode: 'local',
          label: 'local — free',
          balance: { state: 'not-applicable' },
          spend: { state: 'not-applicable' },
        },
      });
    });
    await expect(page.getByRole('group', { name: 'Balance', exact: true })).toContainText('Local — free');
    await expect(page.getByRole('group', { name: 'Burn rate' })).toContainText('if it ran on Daytona Cloud');
    await expect(page.getByRole('button', { name: /Sign in/ })).toHaveCount(0);
    await expect(page.getByRole('group', { name: 'This billing period' })).toHaveCount(0);
  });

  test("unavailable balance and spend show main's message", async ({ page }) => {
    await openBalance(page);
    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({
        billing: {
          ...state.billing,
          balance: { state: 'unavailable', message: 'The billing API did not answer (timeout). The balance updates again in 5 minutes.' },
          spend: { state: 'unavailable', message: 'Usage is not available for this key (403).' },
        },
      });
    });
    await expect(page.getByRole('group', { name: 'Balance', exact: true })).toContainText('The billing API did not answer');
    await expect(page.getByRole('group', { name: 'This billing period' })).toContainText('Usage is not available for this key (403).');
  });

  test('out of credits: a banner with a top-up link to the dashboard', async ({ page }) => {
    await openBalance(page);
    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({
        billing: { ...state.billing, creditsDepleted: true, suspensionReason: 'Credits depleted: add credits to start sandboxes again.' },
      });
    });
    const banner = page.getByRole('alert').filter({ hasText: 'Out of credits' });
    await expect(banner).toContainText('Credits depleted: add credits');
    await expect(page.getByRole('tab', { name: /Balance/ })).toContainText('!');
    await banner.getByRole('button', { name: 'Top up' }).click();
    expect(await callsOf(page, 'openDashboard')).toEqual([{ page: 'billing' }]);
  });

  test('a sign-in error is shown; a cancelled one is not', async ({ page }) => {
    await openBalance(page);
    await page.evaluate(() => window.fakeBridge.failNext('signIn', { code: 'cancelled', message: 'Sign-in cancelled.' }));
    await page.getByRole('button', { name: 'Sign in with Daytona' }).click();
    await expect(page.getByRole('button', { name: 'Sign in with Daytona' })).toBeEnabled();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await page.evaluate(() =>
      window.fakeBridge.failNext('signIn', { code: 'timeout', message: 'The sign-in page was not completed within 5 minutes. Try again.' }),
    );
    await page.getByRole('button', { name: 'Sign in with Daytona' }).click();
    await expect(page.getByRole('alert')).toContainText('not completed within 5 minutes');
  });
});
