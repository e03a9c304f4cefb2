import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { WINDOW_CSP } from '../preload/window-csp.ts';

export default defineConfig({
  root: 'renderer',
  // Relative asset URLs: the page is served from daytona-tray://renderer/ in Electron and from the web shell's root.
  base: './',
  plugins: [react()],
  // No modulepreload polyfill: Chromium (and so Electron) has modulepreload, and the polyfill's check ran first thing
  // in the bundle on every load.
  build: { outDir: '../out/renderer', emptyOutDir: true, target: 'chrome140', modulePreload: { polyfill: false } },
  // The window's policy comes with the page, as both shells send it; `vite preview` serves the e2e-web tests.
  preview: { headers: { 'content-security-policy': WINDOW_CSP } },
});
