import { defineConfig } from '@playwright/test';

/**
 * Smoke tests of the real app in Electron (Playwright's experimental `_electron`): launch, tray, window,
 * a notification on a scripted auto-stop, clean quit. They need an Electron binary (a normal install, or
 * ELECTRON_OVERRIDE_DIST_PATH) and, on Linux, a display (run under `xvfb-run -a`); without a binary every
 * test is reported as skipped with the reason. Start with `npm run build` (out/ must exist).
 */
export default defineConfig({
  testDir: 'test/e2e-electron',
  testMatch: /.*\.spec\.ts/,
  workers: 1,
  // A stray test.only would run one test and report green: CI refuses it.
  forbidOnly: !!process.env.CI,
  timeout: 120_000,
  outputDir: 'test-results/playwright-electron',
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright-electron.json' }]],
});
