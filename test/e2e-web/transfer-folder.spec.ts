import { callsOf, emitState, expect, failNext, openWindow, test } from './window-page.ts';

// The fake's home is /home/ada (test/fakes/fake-bridge.ts): its default folder and what its picker picks.
const DEFAULT = '/home/ada/Downloads/Daytona';
const PICKED = '/home/ada/Projects/exchange';

test.describe('settings: the transfer folder for AI clients', () => {
  test.beforeEach(async ({ page }) => {
    await openWindow(page);
    await page.getByRole('tab', { name: 'Settings' }).click();
  });

  test('shows the default folder, and saves a typed one on Enter', async ({ page }) => {
    const field = page.getByLabel('Transfer folder', { exact: true });
    await expect(field).toHaveValue(DEFAULT);
    await expect(page.getByText('this folder only (the default)')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Use default' })).toHaveCount(0);
    await field.fill('~/exchange');
    await field.press('Enter');
    await expect.poll(() => callsOf(page, 'updateSettings')).toEqual([{ transferFolder: '~/exchange' }]);
    await expect(field).toHaveValue('~/exchange');
    await expect(page.getByText('this folder only (the default)')).toHaveCount(0);
  });

  test('a path that is not a full path is refused in the window, and never sent', async ({ page }) => {
    const field = page.getByLabel('Transfer folder', { exact: true });
    await field.fill('Downloads/x');
    await page.getByRole('button', { name: 'Save folder' }).click();
    await expect(page.getByRole('alert')).toHaveText('"Downloads/x" is not a full path: start it with / (or ~/ for your home folder).');
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(await callsOf(page, 'updateSettings')).toEqual([]);
  });

  test("main's refusal (a file, the home folder) shows its reason next to the field", async ({ page }) => {
    await failNext(page, 'updateSettings', {
      code: 'invalid',
      message: '/home/ada holds your home folder: AI clients could then read or overwrite any of your files.',
    });
    const field = page.getByLabel('Transfer folder', { exact: true });
    await field.fill('/home/ada');
    await field.press('Enter');
    await expect(page.getByRole('alert')).toContainText('/home/ada holds your home folder');
    await expect(field).toHaveValue('/home/ada'); // what the user typed stays, to fix it
  });

  test('Choose… opens the desktop folder picker and saves the folder picked', async ({ page }) => {
    await page.getByRole('button', { name: 'Choose…' }).click();
    await expect.poll(() => callsOf(page, 'updateSettings')).toEqual([{ transferFolder: PICKED }]);
    expect(await callsOf(page, 'pickTransferFolder')).toEqual([undefined]);
    await expect(page.getByLabel('Transfer folder', { exact: true })).toHaveValue(PICKED);
    // A chosen folder can go back to the default.
    await page.getByRole('button', { name: 'Use default' }).click();
    await expect.poll(() => callsOf(page, 'updateSettings')).toEqual([{ transferFolder: PICKED }, { transferFolder: null }]);
    await expect(page.getByLabel('Transfer folder', { exact: true })).toHaveValue(DEFAULT);
  });

  test('without a folder picker (the browser), there is no Choose… button; typing still works', async ({ page }) => {
    const state = await page.evaluate(() => window.fakeBridge.state());
    await emitState(page, { app: { ...state.app, unavailable: ['tray-icon', 'start-at-login', 'folder-picker'] } });
    await expect(page.getByRole('button', { name: 'Choose…' })).toHaveCount(0);
    await expect(page.getByLabel('Transfer folder', { exact: true })).toBeEditable();
  });
});
