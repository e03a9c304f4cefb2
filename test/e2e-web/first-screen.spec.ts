import type { Page } from '@playwright/test';
import { expect, openWindow, test } from './window-page.ts';

// The window's first state on screen is timed by test/bench/renderer.bench.mjs; these check the work behind it
// that a user does not see.

const row = (page: Page, name: string) => page.getByRole('listitem', { name });

test.describe('the first screen builds only what it shows', () => {
  test('no <dialog> exists until one opens; once opened it stays, so closing it returns the focus', async ({ page }) => {
    await openWindow(page);
    const data = row(page, 'data-cleanup');
    await expect(data).toBeVisible();
    // Three sandboxes with three dialogs each (delete, preview, desktop), none open.
    await expect(page.locator('dialog')).toHaveCount(0);

    await data.getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByRole('dialog', { name: 'Delete data-cleanup?' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expect(data.getByRole('button', { name: 'Delete' })).toBeFocused();
    await expect(page.locator('dialog')).toHaveCount(1);
  });
});
