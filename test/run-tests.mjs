#!/usr/bin/env node
// `npm test`: type-check, lint, build, then every runner (Vitest in Node, Playwright in Chromium and in Electron),
// and a last line that sums them: `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const node = process.execPath;
const results = 'test-results';
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

function run(label, args, env = {}, wrapper = []) {
  process.stdout.write(`\n▶ ${label}\n`);
  const [command, ...rest] = [...wrapper, node, ...args];
  const result = spawnSync(command, rest, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const checks = [
  ['type-check (node)', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.test.json']],
  ['type-check (web)', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.web.json']],
  ['lint', ['node_modules/eslint/bin/eslint.js', '--max-warnings=0', '.']],
  ['build (main, preload)', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.node.json']],
  ['build (renderer)', ['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']],
  // The sandboxed preload (one CommonJS file): the shell and packaging tests check the app ships it.
  ['build (preload bundle)', ['node_modules/vite/bin/vite.js', 'build', '--config', 'preload/vite.config.ts', '--logLevel', 'warn']],
  // The web shell's preload (one classic script): `daytona-tray app --web` serves it before the renderer.
  ['build (web preload)', ['node_modules/vite/bin/vite.js', 'build', '--config', 'preload/web-vite.config.ts', '--logLevel', 'warn']],
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

// The real app in the browser: `daytona-tray app --web` with the real provider, MCP server, keychain and clients.
const appStatus = run('playwright (real app in Chromium, web mode)', ['node_modules/@playwright/test/cli.js', 'test', '-c', 'playwright.app.config.ts'], { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' });
if (existsSync(`${results}/playwright-app.json`)) {
  const s = JSON.parse(readFileSync(`${results}/playwright-app.json`, 'utf8')).stats;
  const failed = s.unexpected + (appStatus !== 0 && s.unexpected === 0 ? 1 : 0);
  totals.passed += s.expected + s.flaky;
  totals.failed += failed;
  totals.skipped += s.skipped;
  lines.push(`playwright (web app): ${s.expected + s.flaky} passed, ${failed} failed, ${s.skipped} skipped`);
} else {
  totals.failed += 1;
  lines.push(`playwright (web app): produced no report (exit ${appStatus})`);
}

// The app itself in Electron (Playwright `_electron`): each test is skipped, with the reason, where there is
// no Electron binary (the CI machines cannot download it). On Linux without a display it runs under Xvfb.
const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY && existsSync('/usr/bin/xvfb-run');
const electronStatus = run('playwright (app in Electron)', ['node_modules/@playwright/test/cli.js', 'test', '-c', 'playwright.electron.config.ts'], { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' }, headless ? ['/usr/bin/xvfb-run', '-a'] : []);
if (existsSync(`${results}/playwright-electron.json`)) {
  const report = JSON.parse(readFileSync(`${results}/playwright-electron.json`, 'utf8'));
  const s = report.stats;
  const failed = s.unexpected + (electronStatus !== 0 && s.unexpected === 0 ? 1 : 0);
  totals.passed += s.expected + s.flaky;
  totals.failed += failed;
  totals.skipped += s.skipped;
  const reasons = new Set();
  const collect = (suite) => {
    for (const spec of suite.specs ?? []) for (const t of spec.tests ?? []) for (const a of t.annotations ?? []) if (a.type === 'skip' && a.description) reasons.add(a.description);
    for (const child of suite.suites ?? []) collect(child);
  };
  for (const suite of report.suites ?? []) collect(suite);
  lines.push(`playwright (electron): ${s.expected + s.flaky} passed, ${failed} failed, ${s.skipped} skipped${reasons.size > 0 ? ` (${[...reasons].join('; ')})` : ''}`);
} else {
  totals.failed += 1;
  lines.push(`playwright (electron): produced no report (exit ${electronStatus})`);
}

console.log(`\n${lines.join('\n')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
