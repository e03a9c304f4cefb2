import { expect, test } from '@playwright/test';

test('the built renderer loads under its CSP and renders the window', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Daytona Tray' })).toBeVisible();
  expect(errors).toEqual([]);
});
