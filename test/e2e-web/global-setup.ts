import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { build } from 'vite';
import { FAKE_BRIDGE_BUNDLE, ROOT } from './paths.ts';

/**
 * Bundles the typed fake bridge for the browser (one IIFE that page.addInitScript runs before the window's
 * scripts). The renderer itself is built by the webServer command in playwright.config.ts, which Playwright
 * starts before this runs.
 */
export default async function globalSetup(): Promise<void> {
  await mkdir(dirname(FAKE_BRIDGE_BUNDLE), { recursive: true });
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    build: {
      outDir: dirname(FAKE_BRIDGE_BUNDLE),
      emptyOutDir: true,
      minify: false,
      target: 'chrome120',
      lib: { entry: 'test/e2e-web/fake-bridge-entry.ts', formats: ['iife'], name: 'fakeBridgeBundle', fileName: () => 'fake-bridge.js' },
    },
  });
}
