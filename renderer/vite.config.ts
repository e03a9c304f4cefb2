import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  // Relative asset URLs: Electron loads the window from a file:// URL.
  base: './',
  plugins: [react()],
  // No modulepreload polyfill: Chromium (and so Electron) has modulepreload, and the polyfill's check ran first thing
  // in the bundle on every load.
  build: { outDir: '../out/renderer', emptyOutDir: true, target: 'chrome140', modulePreload: { polyfill: false } },
});
