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

test("the CSP allows only the app's own scripts and styles, nothing inline or remote", async ({ page, pageErrors }) => {
  const response = await openWindow(page);
  // As both shells send it: a response header (preload/window-csp.ts, applied by `vite preview` here).
  const csp = response?.headers()['content-security-policy'];
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("connect-src 'none'");
  expect(csp).not.toContain('unsafe');
  // And not as a meta tag as well: one in the page holds back Chromium's preload scanner (the window's script
  // and stylesheet are requested only once the parser has reached it).
  await expect(page.locator('meta[http-equiv="Content-Security-Policy" i]')).toHaveCount(0);
  // The window really runs under it: an inline script is refused.
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true';
    document.head.append(script);
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
  });
  expect(ran).toBe(false);
  // And so is an inline style element.
  const hidden = await page.evaluate(() => {
    const style = document.createElement('style');
    style.textContent = 'body { display: none }';
    document.head.append(style);
    return getComputedStyle(document.body).display === 'none';
  });
  expect(hidden).toBe(false);
  // Chromium reports each refusal on the console; those two errors are expected here.
  await expect.poll(() => pageErrors.filter((error) => error.includes('violates the following Content Security Policy')).length).toBe(2);
  pageErrors.splice(
    0,
    pageErrors.length,
    ...pageErrors.filter((error) => !error.includes('violates the following Content Security Policy')),
  );
});
