import { setFlagsFromString } from 'node:v8';

/**
 * How the MCP server's process (`daytona-tray mcp`, stdio or HTTP) is set up by main/cli.ts, before any of its
 * modules load. The server lives as long as the tray (or its AI clients) and waits on HTTP and on Daytona almost
 * all the time; resident memory matters more to it than peak JavaScript speed or a faster start
 * (docs/performance.md, test/bench/mcp-memory.bench.mjs):
 *  - no optimizing compilers: V8's Maglev and TurboFan compile whatever crosses their thresholds (loading zod and
 *    the MCP SDK, which build their schemas at import, already does), which pages in the compilers' code from the
 *    node binary and keeps optimized code and compile zones on the heap. Code stops at Sparkplug, V8's
 *    non-optimizing baseline compiler. `--max-opt=1` says the same on the command line, but V8 derives these two
 *    flags from it only at start-up; set at run time, it still let Maglev compile.
 *  - no compile cache (cli.ts enables it for every other command): starting from Node's compile cache
 *    deserializes the code of every function a previous run compiled, which a server that compiles lazily never
 *    needs all of, and keeps it resident (about 4.5 MB here, for about 6% slower start).
 * Flags set here, in the process, reach every way the server is started (the tray, a bridge's `mcp --http
 * --shared`, a user's own `daytona-tray mcp`) without each spawner passing Node options.
 */
export function setUpResidentServer(): void {
  setFlagsFromString('--no-maglev');
  setFlagsFromString('--no-turbofan');
}
