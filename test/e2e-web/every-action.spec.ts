import { METHOD_NAMES } from '../../preload/contract.ts';
import { calledMethods, expect, holdNext, openWindow, release, test } from './window-page.ts';

/**
 * Walks the whole window from the first run on, pressing every button that acts, and checks that together
 * they reached every method of the contract: a method the window cannot reach (or a button that calls
 * nothing) fails here.
 */
test('every action in the window reaches the contract, and every contract method is reachable', async ({ page }) => {
  await openWindow(page, 'first-run');

  // First run.
  await page.getByRole('button', { name: 'Get a key' }).click();
  await page.getByRole('button', { name: 'Try locally' }).click();

  // Settings: from local to a Daytona account, then the cloud profile's controls.
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Use my Daytona account' }).click();
  await page.getByLabel('API key', { exact: true }).fill('dtn_walkthrough_key_0001');
  await page.getByRole('button', { name: 'Check and save' }).click();
  await page.getByLabel('Target region').fill('us');
  await page.getByRole('button', { name: 'Save endpoint' }).click();
  await holdNext(page, 'signIn');
  await page.getByRole('button', { name: 'Sign in with Daytona' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await release(page, 'signIn');
  await expect(page.getByText(/Signed in as/)).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('switch', { name: 'Start at login' }).click();
  await page.getByRole('button', { name: 'Remove key' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove key' }).click();
  await expect(page.getByText('not set')).toBeVisible();

  // Balance: sign in again from there, then refresh the wallet.
  await page.getByRole('tab', { name: 'Balance' }).click();
  await page.getByRole('button', { name: 'Sign in with Daytona' }).click();
  await page.getByRole('button', { name: 'Refresh the balance' }).click();

  // Sandboxes.
  await page.evaluate(() => {
    const { sampleState } = window.fakeSamples;
    window.fakeBridge.setDesktop('sbx-web-7c1f', true);
    window.fakeBridge.emitState({ sandboxes: sampleState().sandboxes });
  });
  await page.getByRole('tab', { name: /Sandboxes/ }).click();
  const web = page.getByRole('listitem', { name: 'web-preview' });
  await web.getByRole('button', { name: 'Show the desktop of web-preview' }).click();
  await page.getByRole('dialog', { name: 'Desktop of web-preview' }).getByRole('button', { name: 'Close' }).click();
  await web.getByRole('button', { name: 'Preview', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Open in browser' }).click();
  await web.getByRole('button', { name: 'Open terminal' }).click();
  await web.getByRole('button', { name: 'Copy ID' }).click();
  await web.getByRole('button', { name: 'Stop' }).click();
  await web.getByRole('button', { name: 'Start' }).click();
  await web.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete sandbox' }).click();
  await expect(web).toHaveCount(0);
  await page.getByRole('button', { name: 'Refresh the list' }).click();

  // Clients.
  await page.getByRole('tab', { name: 'Clients' }).click();
  const desktop = page.getByRole('listitem', { name: 'Claude Desktop' });
  await desktop.getByRole('button', { name: 'Show what connecting changes' }).click();
  await desktop.getByRole('button', { name: 'Connect', exact: true }).click();
  await desktop.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await page.getByRole('button', { name: 'Look for clients again' }).click();

  // Server.
  await page.getByRole('tab', { name: 'Server' }).click();
  await page.getByRole('button', { name: 'Restart server' }).click();
  await page.getByRole('button', { name: 'Open log file' }).click();

  // Back to settings for the profile switch.
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Choose…' }).click();
  await page.getByLabel('Profile').selectOption('local');

  await expect.poll(async () => (await calledMethods(page)).sort()).toEqual([...METHOD_NAMES].sort());
});
