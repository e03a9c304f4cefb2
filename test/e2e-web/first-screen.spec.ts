import type { Page } from '@playwright/test';
import { sampleState } from '../fakes/fake-bridge.ts';
import { expect, openWindow, test } from './window-page.ts';

declare global {
  interface Window {
    /** renderer/src/render-count.ts counts renders per component name when this exists. */
    __daytonaTrayRenderCounts?: Record<string, number>;
  }
}

// The window's first state on screen is timed by test/bench/renderer.bench.mjs; these check the work behind it
// that a user does not see: nothing built hidden, and nothing rendered twice on the way.

const row = (page: Page, name: string) => page.getByRole('listitem', { name });

/** Every font (weight and size; the family is one for the whole window) that text under `selector` is set in. */
const fontsUnder = (page: Page, selector: string) =>
  page.evaluate((selector) => {
    const fonts = new Set<string>();
    for (const root of document.querySelectorAll(selector)) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent?.trim() || !node.parentElement) continue;
        const style = getComputedStyle(node.parentElement);
        fonts.add(`${style.fontFamily} ${style.fontWeight} ${style.fontSize}`);
      }
    }
    return [...fonts].sort();
  }, selector);

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

  test("a stopped sandbox's desktop view renders once: no state set right after it mounts", async ({ page }) => {
    await page.addInitScript(() => {
      window.__daytonaTrayRenderCounts = {};
    });
    // Stopped only: a started one asks for a picture and renders again with the answer.
    const sample = sampleState();
    await openWindow(page, { ...sample, sandboxes: sample.sandboxes.map((sandbox) => ({ ...sandbox, state: 'stopped' })) });
    await expect(row(page, 'data-cleanup')).toBeVisible();
    // A later snapshot, shown once React has done the work the first one queued (the rows do not render for it).
    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({ server: { ...state.server, state: 'failed' } });
    });
    await expect(page.getByRole('tab', { name: /Server/ })).toContainText('!');
    expect(await page.evaluate(() => window.__daytonaTrayRenderCounts)).toMatchObject({ SandboxRow: 3, DesktopThumbnail: 3 });
  });

  test('the first screen is set in five fonts: each one costs its first layout a look-up', async ({ page }) => {
    await openWindow(page);
    await expect(row(page, 'data-cleanup')).toBeVisible();
    // On Linux each weight and each size is a synchronous round trip to the browser process in the first layout;
    // styles.css keeps to two weights and a few sizes. A sixth font here is a slower first screen.
    const fonts = await fontsUnder(page, '#root');
    expect(fonts.length, fonts.join('\n')).toBeLessThanOrEqual(5);
    expect(new Set(fonts.map((font) => font.split(' ').at(-2)))).toEqual(new Set(['400', '600']));
  });

  test("index.html's hidden font warm-up holds every font the first screen uses, and the first render removes it", async ({
    page,
    browser,
    baseURL,
  }) => {
    // The window's first screen, and the fonts it is set in.
    await openWindow(page);
    await expect(row(page, 'data-cleanup')).toBeVisible();
    await expect(page.locator('.font-warmup')).toHaveCount(0);
    const shown = await fontsUnder(page, '#root');

    // The same page before any script has run (in a page of its own: the blocked script is a console error there).
    const context = await browser.newContext({ baseURL });
    try {
      const bare = await context.newPage();
      await bare.route('**/*.js', (route) => route.abort());
      await bare.goto('/');
      const warmup = bare.locator('#root > .font-warmup');
      await expect(warmup).toHaveAttribute('aria-hidden', 'true');
      await expect(warmup).toHaveCSS('visibility', 'hidden');
      expect(await fontsUnder(bare, '#root > .font-warmup')).toEqual(shown);
    } finally {
      await context.close();
    }
  });
});
