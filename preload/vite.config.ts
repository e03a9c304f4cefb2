import { defineConfig } from 'vite';

/**
 * A sandboxed preload runs as one CommonJS script that may require only 'electron' (and a few Node
 * built-ins): ESM and relative requires fail. So preload/index.ts and the contract's channel map are
 * bundled into out/preload/index.cjs, the file the window's webPreferences.preload points at.
 * (tsc also emits out/preload/*.js for main to import the contract's schemas; the window never loads those.)
 */
export default defineConfig({
  root: 'preload',
  logLevel: 'warn',
  build: {
    outDir: '../out/preload',
    emptyOutDir: false,
    target: 'node22',
    minify: false,
    sourcemap: false,
    lib: { entry: 'index.ts', formats: ['cjs'], fileName: () => 'index.cjs' },
    rollupOptions: { external: ['electron'] },
  },
});
