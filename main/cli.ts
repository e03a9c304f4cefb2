#!/usr/bin/env node
import module from 'node:module';

// V8 keeps the compiled code of every module loaded from here on in Node's compile cache (the OS temp folder)
// and reuses it on the next start: the AI clients' bridge and the servers start without compiling their code again.
module.enableCompileCache?.();
const { runCli } = await import('./cli/run-cli.ts');

process.exitCode = await runCli(process.argv.slice(2));
