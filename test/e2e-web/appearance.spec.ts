import { callsOf, expect, openWindow, test } from './window-page.ts';

const background = (page: import('@playwright/test').Page) =>
  page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

test.describe('appearance and keyboard', () => {
  test('follows the OS light/dark setting, live', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await openWindow(page);
    expect(await background(page)).toBe('rgb(244, 245, 247)');
    const cardLight = await page
      .getByRole('listitem', { name: 'web-preview' })
      .evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(cardLight).toBe('rgb(255, 255, 255)');

    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background(page)).toBe('rgb(21, 23, 27)');
    const dark = await page.getByRole('listitem', { name: 'web-preview' }).evaluate((element) => {
      const style = getComputedStyle(element);
      return { background: style.backgroundColor, text: getComputedStyle(element.querySelector('h3')!).color };
    });
    expect(dark).toEqual({ background: 'rgb(30, 33, 38)', text: 'rgb(233, 235, 239)' });
  });

  test('tabs work from the keyboard (arrows, Home, End) and the panel is reachable with Tab', async ({ page }) => {
    await openWindow(page);
    await expect(page.getByRole('listitem', { name: 'web-preview' })).toBeVisible();
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: /MCP server running/ })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.getByRole('tab', { name: /Sandboxes/ })).toBeFocused();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('tab', { name: 'Balance' })).toBeFocused();
    await expect(page.getByRole('tab', { name: 'Balance' })).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('End');
    await expect(page.getByRole('tab', { name: 'Settings' })).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('tab', { name: /Sandboxes/ })).toHaveAttribute('aria-selected', 'true');

    // From the tab, Tab walks the panel: the filters, refresh, then each sandbox's actions in order.
    const stops: string[] = [];
    for (let i = 0; i < 11; i++) {
      await page.keyboard.press('Tab');
      stops.push(
        await page.evaluate(() => {
          const element = document.activeElement as HTMLElement;
          return element.getAttribute('aria-label') ?? element.innerText.trim();
        }),
      );
    }
    expect(stops).toEqual([
      'All 3',
      'Running 1',
      'Stopped 1',
      'Errors 1',
      'Refresh the list',
      'Stop',
      'Preview',
      'Open terminal',
      'Copy ID',
      'Delete',
      'Start',
    ]);
    // Enter on a focused action acts.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('dialog', { name: 'Delete web-preview?' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('button', { name: 'Delete' }).first()).toBeFocused();
  });

  test('main can ask the window to show a view (tray menu, notification)', async ({ page }) => {
    await openWindow(page);
    await page.evaluate(() => window.fakeBridge.showView('clients'));
    await expect(page.getByRole('tab', { name: 'Clients' })).toHaveAttribute('aria-selected', 'true');
    await page.evaluate(() => window.fakeBridge.showView('server'));
    await expect(page.getByRole('tab', { name: 'Server' })).toHaveAttribute('aria-selected', 'true');
  });

  test('a view main asks for while the window waits for its first state is shown once it renders', async ({ page }) => {
    // Main sends it as soon as the page has loaded; the window renders only once getState has answered.
    await openWindow(page, 'sample', { setup: () => window.fakeBridge.holdNext('getState') });
    // Asked before React rendered anything (index.html's placeholder is still there; the window waits up to 1 s for
    // that answer before it shows "Loading…").
    const beforeRender = await page.evaluate(() => {
      const placeholder = document.querySelector('#root > .font-warmup') !== null;
      window.fakeBridge.showView('clients');
      return placeholder;
    });
    expect(beforeRender).toBe(true);
    await page.evaluate(() => window.fakeBridge.release('getState'));
    await expect(page.getByRole('tab', { name: 'Clients' })).toHaveAttribute('aria-selected', 'true');
  });

  test('the window subscribes once to each event (no leaked listeners across views)', async ({ page }) => {
    await openWindow(page);
    for (const tab of ['Balance', 'Clients', 'Server', 'Settings']) await page.getByRole('tab', { name: tab }).click();
    expect(await page.evaluate(() => window.fakeBridge.listenerCount())).toEqual({ onStateChanged: 1, onShowView: 1 });
  });

  test('getState failing at start shows the error with a retry', async ({ page }) => {
    await openWindow(page, 'sample', {
      setup: () => window.fakeBridge.failNext('getState', { message: 'The app is still starting. Try again in a moment.' }),
    });
    await expect(page.getByRole('alert')).toContainText('still starting');
    await page.getByRole('button', { name: 'Try again' }).click();
    await expect(page.getByRole('listitem', { name: 'web-preview' })).toBeVisible();
    expect((await callsOf(page, 'getState')).length).toBe(2);
  });
});

test('a slow first answer from main shows "Loading…", then the window', async ({ page }) => {
  await openWindow(page, 'sample', { setup: () => window.fakeBridge.holdNext('getState') });
  await expect(page.getByText('Loading…')).toBeVisible();
  await page.evaluate(() => window.fakeBridge.release('getState'));
  await expect(page.getByRole('listitem', { name: 'web-preview' })).toBeVisible();
});
