import type { Page } from '@playwright/test';
import { callsOf, expect, expectScreen, openWindow, test } from './window-page.ts';

const row = (page: Page, name: string) => page.getByRole('listitem', { name });
const thumbnail = (page: Page, name: string) => row(page, name).getByRole('button', { name: `Show the desktop of ${name}` });
const captures = async (page: Page) => (await callsOf(page, 'captureDesktop')) as { id: string; size: 'thumbnail' | 'large' }[];
const setDesktop = (page: Page, id: string, running: boolean) =>
  page.evaluate(([sandbox, on]) => window.fakeBridge.setDesktop(sandbox, on), [id, running] as const);
/** The page as a hidden window sees itself (tray window closed, minimized): document.visibilityState and its event. */
const setHidden = (page: Page, hidden: boolean) =>
  page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);

/** web-preview (started) runs a desktop; plain-box (started) runs none; the others are stopped or failed. */
async function openWithDesktop(page: Page): Promise<void> {
  // Timers are the page's fake clock: runFor() moves the refresh loop on without waiting.
  await page.clock.install();
  await openWindow(page, 'sample', { setup: () => window.fakeBridge.setDesktop('sbx-web-7c1f', true) });
  await page.evaluate(() => {
    const { sampleSandbox } = window.fakeSamples;
    window.fakeBridge.emitState({
      sandboxes: [...window.fakeBridge.state().sandboxes, sampleSandbox({ id: 'sbx-plain-1', name: 'plain-box' })],
    });
  });
}

test.describe("a sandbox's desktop in the window", () => {
  test('a live thumbnail shows only for a started sandbox whose desktop runs; stopped ones are never asked', async ({ page }) => {
    await openWithDesktop(page);
    await expect(thumbnail(page, 'web-preview')).toBeVisible();
    const image = thumbnail(page, 'web-preview').locator('img');
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(32);
    await page.clock.runFor(10_000);
    await expect.poll(async () => new Set((await captures(page)).map((call) => call.id))).toEqual(new Set(['sbx-web-7c1f', 'sbx-plain-1']));
    await expect(thumbnail(page, 'plain-box')).toHaveCount(0);
    await expect(row(page, 'data-cleanup').locator('.desktop-thumb')).toHaveCount(0);
    expect((await captures(page)).every((call) => call.size === 'thumbnail')).toBe(true);
    await expectScreen(page, 'sandbox-desktop-thumbnail');

    // It refreshes while the desktop runs, and goes away when the desktop stops.
    const before = (await captures(page)).filter((call) => call.id === 'sbx-web-7c1f').length;
    await page.clock.runFor(2500);
    await expect.poll(async () => (await captures(page)).filter((call) => call.id === 'sbx-web-7c1f').length).toBeGreaterThan(before);
    await setDesktop(page, 'sbx-web-7c1f', false);
    await page.clock.runFor(2500);
    await expect(thumbnail(page, 'web-preview')).toHaveCount(0);

    // The desktop starts later: the slower check for sandboxes without one finds it.
    await setDesktop(page, 'sbx-plain-1', true);
    await page.clock.runFor(10_000);
    await expect(thumbnail(page, 'plain-box')).toBeVisible();
  });

  test('a hidden window asks for no picture at all; shown again, it asks at once', async ({ page }) => {
    await openWithDesktop(page);
    await expect(thumbnail(page, 'web-preview')).toBeVisible();
    await setHidden(page, true);
    const before = (await captures(page)).length;
    await page.clock.runFor(60_000);
    expect((await captures(page)).length).toBe(before);

    await setHidden(page, false);
    await expect.poll(async () => (await captures(page)).length).toBeGreaterThan(before);
  });

  test('a click opens a larger, refreshing view; the thumbnail waits meanwhile; Escape closes it', async ({ page }) => {
    await openWithDesktop(page);
    await thumbnail(page, 'web-preview').click();
    const dialog = page.getByRole('dialog', { name: 'Desktop of web-preview' });
    await expect(dialog).toBeVisible();
    const large = dialog.getByRole('img', { name: /The desktop of web-preview/ });
    await expect(large).toBeVisible();
    await expect(large).toHaveAttribute('width', '1024');
    const asked = async () => (await captures(page)).filter((call) => call.id === 'sbx-web-7c1f');
    await expect.poll(async () => (await asked()).at(-1)?.size).toBe('large');
    const thumbnails = (await asked()).filter((call) => call.size === 'thumbnail').length;
    const larges = (await asked()).filter((call) => call.size === 'large').length;
    await page.clock.runFor(5000);
    await expect.poll(async () => (await asked()).filter((call) => call.size === 'large').length).toBeGreaterThan(larges);
    expect((await asked()).filter((call) => call.size === 'thumbnail').length).toBe(thumbnails);

    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(thumbnail(page, 'web-preview')).toBeFocused();
  });

  test('from the keyboard: the thumbnail is a named button in the tab order; Enter and Space open the view', async ({ page }) => {
    await openWithDesktop(page);
    await expect(thumbnail(page, 'web-preview')).toBeVisible();
    // Tab from the refresh button reaches the thumbnail before the row's actions.
    await page.getByRole('button', { name: 'Refresh the list' }).focus();
    await page.keyboard.press('Tab');
    await expect(thumbnail(page, 'web-preview')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(row(page, 'web-preview').getByRole('button', { name: 'Stop' })).toBeFocused();
    await page.keyboard.press('Shift+Tab');

    const dialog = page.getByRole('dialog', { name: 'Desktop of web-preview' });
    await page.keyboard.press('Enter');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(thumbnail(page, 'web-preview')).toBeFocused();
    await page.keyboard.press(' ');
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
  });
});
