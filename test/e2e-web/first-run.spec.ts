import { callsOf, expect, failNext, holdNext, openWindow, release, test } from './window-page.ts';

const KEY = 'dtn_7d0c2b9e44f1a8c3b5e6d7f8091a2b3c_K3Y9';

test.describe('first run', () => {
  test('offers both paths: my Daytona account, or try locally', async ({ page }) => {
    await openWindow(page, 'first-run');
    await expect(page.getByRole('heading', { name: 'Welcome to Daytona Tray' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Use my Daytona account' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Try locally' })).toBeVisible();
    // No tabs until a choice is made.
    await expect(page.getByRole('tab')).toHaveCount(0);
  });

  test('"Try locally" switches to the local provider and opens the empty sandbox list', async ({ page }) => {
    await openWindow(page, 'first-run');
    await page.getByRole('button', { name: 'Try locally' }).click();
    await expect(page.getByRole('tab', { name: /Sandboxes/ })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByText('Local provider')).toBeVisible();
    await expect(page.getByText('No sandboxes yet')).toBeVisible();
    expect(await callsOf(page, 'useLocalProvider')).toEqual([undefined]);
    expect(await callsOf(page, 'saveApiKey')).toEqual([]);
  });

  test('"Try locally" warns when sandboxes would not be isolated', async ({ page }) => {
    await openWindow(page, 'first-run');
    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({ profile: { ...state.profile, isolation: 'none' } });
    });
    await expect(page.getByRole('note').filter({ hasText: 'Not isolated' })).toContainText('bubblewrap is not installed');
  });

  test('a pasted key is masked, checked through the contract, stored, and never echoed', async ({ page }) => {
    await openWindow(page, 'first-run');
    const field = page.getByLabel('API key');
    await expect(field).toHaveAttribute('type', 'password');
    await expect(field).toHaveAttribute('autocomplete', 'off');
    await field.fill(KEY);
    // Typing leaves no copy of the key in the DOM (React mirrors controlled values into attributes; this field is not controlled).
    expect(await page.content()).not.toContain(KEY);

    await holdNext(page, 'saveApiKey');
    await page.getByRole('button', { name: 'Check and save' }).click();
    const checking = page.getByRole('button', { name: 'Checking key…' });
    await expect(checking).toBeDisabled();
    await expect(field).toBeDisabled();
    await release(page, 'saveApiKey');

    await expect(page.getByRole('tab', { name: /Sandboxes/ })).toBeVisible();
    expect(await callsOf(page, 'saveApiKey')).toEqual([{ apiKey: KEY }]);
    expect(await page.content()).not.toContain(KEY);
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(KEY);

    // Settings shows only that a key is set and its last four characters.
    await page.getByRole('tab', { name: 'Settings' }).click();
    await expect(page.getByLabel('API key ending in K3Y9')).toHaveText('••••••••K3Y9');
    expect(await page.content()).not.toContain(KEY);
  });

  test('a rejected key stays on the first-run screen with advice, and is not echoed', async ({ page }) => {
    await openWindow(page, 'first-run');
    await failNext(page, 'saveApiKey', {
      code: 'rejected',
      message:
        'API key rejected by https://app.daytona.io/api (401). Check that you copied the whole key, or create a new one in the Daytona dashboard (Keys), then try again.',
    });
    await page.getByLabel('API key').fill(KEY);
    await page.getByLabel('API key').press('Enter');
    await expect(page.getByRole('alert')).toContainText('API key rejected');
    await expect(page.getByLabel('API key')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByRole('heading', { name: 'Welcome to Daytona Tray' })).toBeVisible();
    expect(await page.content()).not.toContain(KEY);

    // Typing again clears the error; a second try succeeds.
    await page.getByLabel('API key').fill(`${KEY}X`);
    await expect(page.getByRole('alert')).toHaveCount(0);
    await page.getByRole('button', { name: 'Check and save' }).click();
    await expect(page.getByRole('tab', { name: /Sandboxes/ })).toBeVisible();
    expect(await callsOf(page, 'saveApiKey')).toEqual([{ apiKey: KEY }, { apiKey: `${KEY}X` }]);
  });

  test('a self-hosted API URL goes with the key; "Get a key" opens the dashboard', async ({ page }) => {
    await openWindow(page, 'first-run');
    await page.getByRole('button', { name: 'Get a key' }).click();
    expect(await callsOf(page, 'openDashboard')).toEqual([{ page: 'keys' }]);
    await page.getByRole('button', { name: 'Self-hosted Daytona?' }).click();
    await page.getByLabel('API URL').fill('https://daytona.internal.example/api');
    await page.getByLabel('API key').fill(KEY);
    await page.getByRole('button', { name: 'Check and save' }).click();
    await expect(page.getByRole('tab', { name: /Sandboxes/ })).toBeVisible();
    expect(await callsOf(page, 'saveApiKey')).toEqual([{ apiKey: KEY, apiUrl: 'https://daytona.internal.example/api' }]);
  });

  test('an error from "Try locally" is shown where the user acted', async ({ page }) => {
    await openWindow(page, 'first-run');
    await failNext(page, 'useLocalProvider', {
      message: 'Could not save /home/ada/.config/daytona-tray/settings.json: disk full. Free some space, then try again.',
    });
    await page.getByRole('button', { name: 'Try locally' }).click();
    await expect(page.getByRole('alert')).toContainText('disk full');
    await expect(page.getByRole('heading', { name: 'Welcome to Daytona Tray' })).toBeVisible();
  });
});
