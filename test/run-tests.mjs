#!/usr/bin/env node
// `npm test`: type-check, lint, build, then every runner (Vitest in Node, Playwright in Chromium),
// and a last line that sums them: `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const node = process.execPath;
const results = 'test-results';
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

function run(label, args, env = {}) {
  process.stdout.write(`\n▶ ${label}\n`);
  const result = spawnSync(node, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const checks = [
  ['type-check (node)', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.test.json']],
  ['type-check (web)', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.web.json']],
  ['lint', ['node_modules/eslint/bin/eslint.js', '--max-warnings=0', '.']],
  ['build (main, preload)', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.node.json']],
  ['build (renderer)', ['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']],
];
for (const [label, args] of checks) {
  if (run(label, args) !== 0) {
    console.log(`\n${label} failed: fix it before the tests can run.`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

const vitestStatus = run('vitest (node: unit + integration)', [
  'node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/vitest.json`,
]);
if (existsSync(`${results}/vitest.json`)) {
  const r = JSON.parse(readFileSync(`${results}/vitest.json`, 'utf8'));
  const failed = r.numFailedTests + (r.numFailedTestSuites ?? 0);
  totals.passed += r.numPassedTests;
  totals.failed += failed;
  totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  lines.push(`vitest: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests} skipped`);
} else {
  totals.failed += 1;
  lines.push(`vitest: produced no report (exit ${vitestStatus})`);
}
if (vitestStatus !== 0 && totals.failed === 0) totals.failed += 1;

const pwStatus = run('playwright (renderer in Chromium)', ['node_modules/@playwright/test/cli.js', 'test'], { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' });
if (existsSync(`${results}/playwright.json`)) {
  const s = JSON.parse(readFileSync(`${results}/playwright.json`, 'utf8')).stats;
  const failed = s.unexpected + (pwStatus !== 0 && s.unexpected === 0 ? 1 : 0);
  totals.passed += s.expected + s.flaky;
  totals.failed += failed;
  totals.skipped += s.skipped;
  lines.push(`playwright: ${s.expected + s.flaky} passed, ${failed} failed, ${s.skipped} skipped`);
} else {
  totals.failed += 1;
  lines.push(`playwright: produced no report (exit ${pwStatus})`);
}

console.log(`\n${lines.join('\n')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
