import { defineConfig } from '@playwright/test';

// Several checkouts can run these at once: each picks its own port (DAYTONA_TRAY_E2E_PORT, default 4317).
const PORT = Number(process.env.DAYTONA_TRAY_E2E_PORT ?? 4317);
const VITE = 'node node_modules/vite/bin/vite.js';

/**
 * Browser tests run the built renderer in Debian's Chromium (no Playwright browser download), at the tray
 * window's size, with the typed fake bridge (test/fakes/fake-bridge.ts) injected before the page's scripts.
 */
export default defineConfig({
  testDir: 'test/e2e-web',
  testMatch: /.*\.spec\.ts/,
  workers: 1,
  // A stray test.only would run one test and report green: CI refuses it.
  forbidOnly: !!process.env.CI,
  outputDir: 'test-results/playwright',
  // Screens are compared with baselines committed next to the specs (made with Debian's Chromium). The
  // per-pixel threshold and the share of pixels allowed to differ absorb font hinting and anti-aliasing;
  // a moved, missing or restyled block changes far more. Another platform gets its own baselines (the
  // first run there writes them); CI never writes any, so a missing baseline fails there.
  snapshotPathTemplate: '{testDir}/__screenshots__/{testFilePath}/{arg}-{platform}{ext}',
  updateSnapshots: process.env.CI ? 'none' : 'missing',
  expect: { toHaveScreenshot: { threshold: 0.2, maxDiffPixelRatio: 0.01, animations: 'disabled', caret: 'hide', scale: 'device' } },
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  // Playwright starts the webServer (which builds the renderer) before this bundles the fake bridge.
  globalSetup: './test/e2e-web/global-setup.ts',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 380, height: 560 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: {
    // The production bundle, exactly as Electron loads it (out/renderer), served on loopback.
    command: `${VITE} build --config renderer/vite.config.ts --logLevel warn && ${VITE} preview --config renderer/vite.config.ts --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: false,
    timeout: 120_000,
  },
});
