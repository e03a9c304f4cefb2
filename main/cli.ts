#!/usr/bin/env node
import module from 'node:module';

const argv = process.argv.slice(2);
if (argv[0] === 'mcp') {
  // The MCP server lives long and idles: memory over start-up speed, set before its modules load
  // (main/mcp/resident-memory.ts). Imported here only, so the AI clients' bridge loads no extra file.
  (await import('./mcp/resident-memory.ts')).setUpResidentServer();
} else {
  // V8 keeps the compiled code of every module loaded from here on in Node's compile cache (the OS temp folder)
  // and reuses it on the next start: the AI clients' bridge and the CLI start without compiling their code again.
  module.enableCompileCache?.();
}
const { runCli } = await import('./cli/run-cli.ts');

process.exitCode = await runCli(argv);
