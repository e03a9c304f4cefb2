import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { countPlaywright, countVitest, formatSummary, NO_REASON } from '../summary.mjs';

/**
 * `npm test`'s summary (test/summary.mjs) fed real reports: the runners themselves run the fixtures in
 * test/fixtures/summary (a failure two describes deep, a file that does not load, skips with reasons).
 */
const FIXTURES = join(REPO_ROOT, 'test/fixtures/summary');

/** The env of a child runner, without this Vitest worker's own variables. */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'CI' && key !== 'NODE_OPTIONS'),
  );
  return { ...env, ...extra };
}

let dir: { path: string; cleanup: () => Promise<void> };
let vitestReport: unknown;
let playwrightReport: unknown;
let playwrightStatus: number;

beforeAll(() => {
  return (async () => {
    dir = await tempDir('test-summary-');
    const vitestJson = join(dir.path, 'vitest.json');
    const vitest = spawnSync(
      process.execPath,
      [
        'node_modules/vitest/vitest.mjs',
        'run',
        '--config',
        'test/fixtures/summary/vitest.config.ts',
        '--reporter=json',
        `--outputFile.json=${vitestJson}`,
      ],
      { cwd: REPO_ROOT, env: childEnv(), encoding: 'utf8' },
    );
    if (vitest.status !== 1) throw new Error(`the fixture Vitest run should fail with 1, got ${vitest.status}: ${vitest.stderr}`);
    vitestReport = JSON.parse(readFileSync(vitestJson, 'utf8'));
    const playwrightJson = join(dir.path, 'playwright.json');
    const playwright = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '-c', 'playwright.config.ts'],
      { cwd: FIXTURES, env: childEnv({ SUMMARY_REPORT: playwrightJson }), encoding: 'utf8' },
    );
    playwrightStatus = playwright.status ?? -1;
    playwrightReport = JSON.parse(readFileSync(playwrightJson, 'utf8'));
  })();
}, 120_000);

afterAll(async () => {
  await dir?.cleanup();
});

describe('Vitest report', () => {
  it('counts a failure inside nested describes once and a file that did not load as one failure', () => {
    const part = countVitest(vitestReport, { root: REPO_ROOT });
    // The report's numFailedTestSuites is 4 here (the broken file, its neighbour, outer, inner): none of that is added.
    expect((vitestReport as { numFailedTestSuites: number }).numFailedTestSuites).toBe(4);
    expect({ passed: part.passed, failed: part.failed, skipped: part.skipped }).toEqual({ passed: 1, failed: 2, skipped: 5 });
    expect(part.failures).toHaveLength(2);
    expect(part.failures[0]).toContain('broken.test.ts: failed outside its tests');
    expect(part.failures[0]).toContain('this file does not load');
    expect(part.failures[1]).toContain('outer inner fails');
  });

  it('gives every skip its reason, one line per reason with its count', () => {
    const part = countVitest(vitestReport, { root: REPO_ROOT });
    expect(Object.fromEntries(part.skipReasons)).toEqual({
      'no Secret Service here': 2,
      'no external address': 1,
      todo: 1,
      [`${NO_REASON} (test/fixtures/summary/vitest/nested.test.ts > outer skips without saying why)`]: 1,
    });
    const { lines } = formatSummary([part]);
    expect(lines).toContain('vitest: 1 passed, 2 failed, 5 skipped');
    expect(lines).toContain('  skipped 2: no Secret Service here');
    expect(lines.at(-1)).toBe('1 passed, 2 failed, 5 skipped');
  });

  it('in CI, a skip for lack of something CI installs is a failure', () => {
    const part = countVitest(vitestReport, { root: REPO_ROOT, ci: true });
    expect({ passed: part.passed, failed: part.failed, skipped: part.skipped }).toEqual({ passed: 1, failed: 4, skipped: 3 });
    expect(part.failures.filter((f) => f.includes('skipped in CI for lack of keyring (no Secret Service here)'))).toHaveLength(2);
    expect(part.skipReasons.has('no Secret Service here')).toBe(false);
  });

  it("fails the summary when its own counts disagree with the runner's", () => {
    const report = structuredClone(vitestReport) as { numPassedTests: number };
    report.numPassedTests += 1;
    const part = countVitest(report, { root: REPO_ROOT });
    expect(part.failures.at(-1)).toBe("the summary counts 1 passed where the runner's report says 2");
    expect(part.failed).toBe(3);
  });
});

describe('Playwright report', () => {
  it('counts nested tests once, with skip reasons from the annotations', () => {
    expect(playwrightStatus).toBe(1);
    const part = countPlaywright('playwright', playwrightReport, playwrightStatus);
    expect({ passed: part.passed, failed: part.failed, skipped: part.skipped }).toEqual({ passed: 1, failed: 1, skipped: 3 });
    expect(part.failures).toHaveLength(1);
    expect(part.failures[0]).toMatch(/outer > inner > fails: .*toBe/);
    expect(Object.fromEntries(part.skipReasons)).toEqual({ 'no Electron binary': 2, 'no Chromium here': 1 });
  });

  it('in CI, a skip annotated ci-provided is a failure; other skips stay skips', () => {
    const part = countPlaywright('playwright', playwrightReport, playwrightStatus, { ci: true });
    expect({ passed: part.passed, failed: part.failed, skipped: part.skipped }).toEqual({ passed: 1, failed: 2, skipped: 2 });
    expect(part.failures).toContainEqual('nested.spec.ts > outer > needs Chromium: skipped in CI for lack of chromium (no Chromium here)');
    expect(Object.fromEntries(part.skipReasons)).toEqual({ 'no Electron binary': 2 });
  });

  it('a non-zero exit with no failed test (global setup, web server) counts as one failure', () => {
    const part = countPlaywright(
      'playwright',
      {
        suites: [],
        errors: [{ message: 'Error: Process from config.webServer exited early.' }],
        stats: { expected: 0, unexpected: 0, flaky: 0, skipped: 0 },
      },
      1,
    );
    expect(part.failed).toBe(1);
    expect(part.failures).toEqual(['exited with 1: Error: Process from config.webServer exited early.']);
  });
});
