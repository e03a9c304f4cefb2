#!/usr/bin/env node
// `npm run bench`: build out/ with tsc, then run every test/bench/*.bench.mjs in turn, each in its own
// Node process (so one benchmark's heap, sockets and children never skew the next), printing its output.
// Benchmarks print figures; they assert nothing, so a slow run is never a failure.
//
//   npm run bench                     # build, then every benchmark
//   npm run bench -- local mcp        # only files whose name contains one of these words
//   npm run bench -- --no-build local # skip the build (out/ is already fresh)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..', '..');
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const filters = args.filter((arg) => !arg.startsWith('--'));

if (build) {
  console.log('▶ build: tsc -p tsconfig.node.json');
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.node.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.error) throw result.error;
  // tsc still emits JavaScript when it finds type errors, so the benchmarks can run on that build; a build
  // that emitted nothing shows up below as a benchmark failing to import out/.
  if (result.status !== 0)
    console.log(
      '\nWARNING: tsc reported errors (above); out/ was emitted anyway and the figures below measure that build. Fix them before trusting a comparison.',
    );
  // The bridge runs from its one-file bundle (vite.bridge.config.ts), as `npm run build` and the app ship it.
  console.log('▶ build: vite build --config vite.bridge.config.ts');
  const bundle = spawnSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--config', 'vite.bridge.config.ts', '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (bundle.error) throw bundle.error;
  if (bundle.status !== 0) console.log("\nWARNING: the bridge bundle did not build: the bridge figures below measure tsc's modules.");
}

const files = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.mjs'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();
if (files.length === 0) {
  console.log(
    filters.length
      ? `No benchmark in ${relative(root, benchDir)} matches ${filters.join(', ')}.`
      : `No *.bench.mjs files in ${relative(root, benchDir)}.`,
  );
  process.exit(1);
}

const outcomes = [];
for (const name of files) {
  console.log(`\n▶ ${relative(root, join(benchDir, name))}`);
  const started = performance.now();
  // Each benchmark bounds its own work; this cap only stops a hung one from hanging the whole run.
  const result = spawnSync(process.execPath, [join(benchDir, name)], {
    cwd: root,
    stdio: 'inherit',
    timeout: 5 * 60_000,
    killSignal: 'SIGKILL',
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const status = result.error ? `error: ${result.error.message}` : result.signal ? `killed by ${result.signal}` : `exit ${result.status}`;
  outcomes.push({ name, ok: !result.error && result.status === 0, line: `${name}: ${status}, ${seconds} s` });
}

console.log('\n▶ summary');
for (const outcome of outcomes) console.log(`${outcome.ok ? 'ok  ' : 'FAIL'} ${outcome.line}`);
process.exit(outcomes.every((outcome) => outcome.ok) ? 0 : 1);
