import { expect, openWindow, test } from './window-page.ts';

test('the built renderer loads under its CSP and renders the window from the bridge', async ({ page }) => {
  await openWindow(page);
  await expect(page.getByText('Daytona Tray', { exact: true })).toBeVisible();
  await expect(page.getByRole('tab', { name: /Sandboxes/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('heading', { name: 'web-preview' })).toBeVisible();
});

test('without a bridge the window says it only works inside the app', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByText('only works inside Daytona Tray')).toBeVisible();
});
