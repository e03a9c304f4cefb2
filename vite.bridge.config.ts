import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

/**
 * The AI clients' stdio bridge (`daytona-tray bridge`) as one file, out/main/mcp/bridge/bridge.bundle.cjs: every AI
 * client session spawns a bridge, so its start is Node's start plus the time to load it. main/cli/run-cli.ts runs
 * the bundle when it exists. Two choices make that load small (test/bench/bridge-cold-start.bench.mjs):
 *  - one file instead of the two dozen modules tsc emits for the bridge;
 *  - CommonJS: an ES module's `import ... from 'node:http'` builds the module's namespace, which reads every
 *    export, and Node's lazy ones load crypto, tls, http2, zlib, worker_threads and undici (~60 more internal
 *    modules, about half the bridge's start-up CPU); `require('node:http')` loads http alone.
 * Left out of the bundle, and loaded from tsc's output only when the bridge has to serve the tools itself (no
 * server reachable): the in-process server (main/mcp/bridge/in-process-upstream.ts imports it dynamically) with
 * the MCP SDK and zod. The bundle sits beside tsc's in-process-upstream.js so those relative imports resolve there.
 */
const IN_PROCESS_IMPORTS = /^\.\.\/(server|default-deps)\.ts$/;

export default defineConfig({
  logLevel: 'warn',
  // An SSR build leaves packages to require() at run time; the one small parser the relay uses goes in the file.
  ssr: { noExternal: ['eventsource-parser'] },
  plugins: [
    {
      name: 'in-process-server-stays-outside',
      enforce: 'pre',
      resolveId(source, importer) {
        if (importer?.endsWith('/main/mcp/bridge/in-process-upstream.ts') && IN_PROCESS_IMPORTS.test(source)) {
          return { id: source.replace(/\.ts$/, '.js'), external: true };
        }
        return null;
      },
    },
  ],
  build: {
    outDir: 'out/main/mcp/bridge',
    emptyOutDir: false,
    target: 'node22',
    minify: false,
    sourcemap: false,
    copyPublicDir: false,
    // A Node program, not a browser library: Node's built-ins resolve as Node's.
    ssr: 'main/cli/bridge-command.ts',
    rollupOptions: {
      // What only a bridge with no server to relay to needs (starting the shared one) is a second file, loaded then.
      output: { format: 'cjs', entryFileNames: 'bridge.bundle.cjs', chunkFileNames: 'bridge.bundle-[name].cjs' },
      external: [...builtinModules, ...builtinModules.map((name) => `node:${name}`), /^@modelcontextprotocol\//],
    },
  },
});
