import { test as base, expect, type Page, type Response } from '@playwright/test';
import type { AppState, BridgeMethodName } from '../../preload/contract.ts';
import type { FakeBridgeControls, firstRunState, notIsolated, sampleClient, sampleSandbox, sampleState } from '../fakes/fake-bridge.ts';
import { FAKE_BRIDGE_BUNDLE } from './paths.ts';

/** What fake-bridge-entry.ts puts on the page's window. */
declare global {
  interface Window {
    __fakeBridgeInitial?: AppState | 'first-run';
    fakeBridge: FakeBridgeControls;
    fakeSamples: {
      sampleState: typeof sampleState;
      firstRunState: typeof firstRunState;
      sampleSandbox: typeof sampleSandbox;
      sampleClient: typeof sampleClient;
      notIsolated: typeof notIsolated;
    };
  }
}

/** Every test fails on an uncaught page error or a console error (a CSP violation shows up there too). */
export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await use(errors);
      expect(errors).toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/**
 * Opens the built window with the fake bridge installed, and returns the page's response. `initial` is built in
 * the page (so dates are the page's "now"): `sample` (default), `first-run`, or a function of the sample builders.
 */
export async function openWindow(
  page: Page,
  initial: 'sample' | 'first-run' | AppState = 'sample',
  options: { setup?: () => void } = {},
): Promise<Response | null> {
  if (initial !== 'sample') {
    await page.addInitScript((state) => {
      window.__fakeBridgeInitial = state;
    }, initial);
  }
  await page.addInitScript({ path: FAKE_BRIDGE_BUNDLE });
  // Runs after the fake is installed and before the window's scripts (to arm failNext for the first calls).
  if (options.setup) await page.addInitScript(options.setup);
  return await page.goto('/');
}

/** Replaces the fake's state with `build(samples)` and tells the window, as main would. */
export async function emitState(page: Page, patch: Partial<AppState>): Promise<void> {
  await page.evaluate((value) => window.fakeBridge.emitState(value), patch);
}

export function callsOf(page: Page, method: BridgeMethodName): Promise<unknown[]> {
  return page.evaluate((name) => window.fakeBridge.callsOf(name), method);
}

export async function calledMethods(page: Page): Promise<BridgeMethodName[]> {
  return page.evaluate(() => [...new Set(window.fakeBridge.calls.map((call) => call.method))]);
}

export function failNext(page: Page, method: BridgeMethodName, error: { code?: string; message?: string } = {}): Promise<void> {
  return page.evaluate(([name, failure]) => window.fakeBridge.failNext(name, failure), [method, error] as const);
}

export function holdNext(page: Page, method: BridgeMethodName): Promise<void> {
  return page.evaluate((name) => window.fakeBridge.holdNext(name), method);
}

export function release(page: Page, method: BridgeMethodName): Promise<void> {
  return page.evaluate((name) => window.fakeBridge.release(name), method);
}

/**
 * Compares the window with its committed baseline (test/e2e-web/__screenshots__; tolerances in
 * playwright.config.ts). On a difference Playwright attaches the expected, actual and diff images.
 * Update baselines on purpose with `npx playwright test --update-snapshots`.
 */
export async function expectScreen(page: Page, name: string): Promise<void> {
  await expect(page).toHaveScreenshot(`${name}.png`);
}
