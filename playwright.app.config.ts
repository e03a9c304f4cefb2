import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests of the real product in Debian's Chromium: each test starts the built
 * `daytona-tray app --web --no-open --json` in a temp HOME with a private Secret Service, and drives the page
 * it prints. Nothing is faked: the real local provider (bubblewrap where it works), the real MCP server
 * child, real client config files, the real MCP client through `daytona-tray bridge`. Run `npm run build`
 * first (out/ must exist). The fake-bridge tests of the window keep their own config (playwright.config.ts).
 */
export default defineConfig({
  testDir: 'test/e2e-app',
  testMatch: /.*\.spec\.ts/,
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  outputDir: 'test-results/playwright-app',
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright-app.json' }]],
  use: {
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
});
