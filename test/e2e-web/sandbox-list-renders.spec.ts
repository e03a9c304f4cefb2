import type { Page } from '@playwright/test';
import { sampleSandbox, sampleState } from '../fakes/fake-bridge.ts';
import { expect, openWindow, test } from './window-page.ts';

declare global {
  interface Window {
    /** renderer/src/render-count.ts counts renders per component name when this exists. */
    __daytonaTrayRenderCounts?: Record<string, number>;
  }
}

const SANDBOXES = 200;

/** 200 running sandboxes, each snapshot from main arriving as new objects (the fake copies them, as IPC does). */
async function openWithManySandboxes(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.__daytonaTrayRenderCounts = {};
  });
  const sandboxes = Array.from({ length: SANDBOXES }, (_, i) =>
    sampleSandbox({ id: `sbx-many-${i}`, name: `many-${i}`, state: 'started', autoStopAt: new Date(Date.now() + 3_600_000).toISOString() }),
  );
  await openWindow(page, sampleState({ sandboxes }));
  await expect(page.getByRole('list', { name: 'Sandboxes' }).getByRole('listitem')).toHaveCount(SANDBOXES);
}

const rowRenders = (page: Page) => page.evaluate(() => window.__daytonaTrayRenderCounts?.SandboxRow ?? 0);
const resetCounts = (page: Page) =>
  page.evaluate(() => {
    window.__daytonaTrayRenderCounts = {};
  });

test.describe('the sandbox list with 200 sandboxes', () => {
  test('one sandbox changing renders its own row only, not the other 199', async ({ page }) => {
    await openWithManySandboxes(page);
    expect(await rowRenders(page)).toBeGreaterThanOrEqual(SANDBOXES);
    await resetCounts(page);

    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({ sandboxes: state.sandboxes.map((s) => (s.id === 'sbx-many-7' ? { ...s, state: 'stopped' } : s)) });
    });
    await expect(page.getByRole('listitem', { name: 'many-7', exact: true }).locator('.badge')).toHaveText('stopped');
    await expect(page.getByRole('button', { name: /Stopped/ })).toContainText('1');
    expect(await rowRenders(page)).toBe(1);
  });

  test('a snapshot where nothing in the list changed (another part of the state did) renders no row', async ({ page }) => {
    await openWithManySandboxes(page);
    await resetCounts(page);
    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({ server: { ...state.server, state: 'failed' } });
    });
    await expect(page.getByRole('tab', { name: /Server/ })).toContainText('!');
    expect(await rowRenders(page)).toBe(0);
  });

  test('the clock ticking (ages, auto-stop countdowns) re-renders no row', async ({ page }) => {
    await openWithManySandboxes(page);
    const countdown = page.getByRole('listitem', { name: 'many-0', exact: true }).getByText(/Auto-stops in/);
    const before = await countdown.textContent();
    await resetCounts(page);
    // Under ten minutes the countdown shows seconds: move this one there, then watch it tick.
    await page.evaluate(() => {
      const state = window.fakeBridge.state();
      window.fakeBridge.emitState({
        sandboxes: state.sandboxes.map((s) =>
          s.id === 'sbx-many-0' ? { ...s, autoStopAt: new Date(Date.now() + 65_000).toISOString() } : s,
        ),
      });
    });
    await expect(countdown).not.toHaveText(before ?? '');
    await resetCounts(page);
    const ticking = await countdown.textContent();
    await expect(countdown).not.toHaveText(ticking ?? '', { timeout: 5_000 });
    expect(await rowRenders(page)).toBe(0);
  });
});
