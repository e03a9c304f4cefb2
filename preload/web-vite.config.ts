import { defineConfig } from 'vite';

/**
 * The web preload (preload/web-preload.ts) as one classic script, out/web-preload/web-preload.js: the web
 * shell's page loads it before the renderer's module script, so `window.bridge` exists when main.tsx starts.
 */
export default defineConfig({
  root: 'preload',
  logLevel: 'warn',
  build: {
    outDir: '../out/web-preload',
    emptyOutDir: true,
    target: 'chrome120',
    minify: false,
    sourcemap: false,
    lib: { entry: 'web-preload.ts', formats: ['iife'], name: 'daytonaTrayWebPreload', fileName: () => 'web-preload.js' },
  },
});
