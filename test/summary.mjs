// The counting behind `npm test`'s summary, apart from test/run-tests.mjs so test/unit/test-summary.test.ts
// can feed it reports. Each runner's report becomes a part: passed, failed, skipped, and why for each skip.
import { relative } from 'node:path';

export const NO_REASON = 'no reason given';

function newPart(label) {
  return { label, passed: 0, failed: 0, skipped: 0, skipReasons: new Map(), failures: [], ciFailed: 0 };
}

function bump(map, key) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * A skip for lack of something CI installs (`ciProvided`: bubblewrap, keyring, chromium) fails in CI:
 * there it means the isolation or keychain tests did not run.
 */
function skip(part, reason, ciProvided, ci, where) {
  if (ci && ciProvided) {
    part.failed += 1;
    part.ciFailed += 1;
    part.failures.push(`${where}: skipped in CI for lack of ${ciProvided} (${reason ?? NO_REASON})`);
    return;
  }
  part.skipped += 1;
  bump(part.skipReasons, reason ?? `${NO_REASON} (${where})`);
}

function firstLine(text) {
  return (
    String(text ?? '')
      .trim()
      .split('\n')[0] ?? ''
  );
}

/**
 * Vitest's JSON report. Each test counts once, whatever describes it sits in (the report's numFailedTestSuites
 * counts every enclosing describe again). A file that failed outside its tests (did not load, a hook threw)
 * counts as one failure.
 */
export function countVitest(report, { ci = false, root = process.cwd() } = {}) {
  const part = newPart('vitest');
  let fileFailures = 0;
  for (const file of report.testResults ?? []) {
    const name = relative(root, file.name);
    let failedInside = 0;
    for (const t of file.assertionResults ?? []) {
      const where = `${name} > ${t.fullName}`;
      if (t.status === 'passed') part.passed += 1;
      else if (t.status === 'failed') {
        part.failed += 1;
        failedInside += 1;
        part.failures.push(`${where}: ${firstLine(t.failureMessages?.[0])}`);
      } else if (t.status === 'todo') skip(part, 'todo', undefined, ci, where);
      else skip(part, t.meta?.skipReason, t.meta?.ciProvided, ci, where);
    }
    if (file.status === 'failed' && failedInside === 0) {
      part.failed += 1;
      fileFailures += 1;
      part.failures.push(`${name}: failed outside its tests (did not load, or a hook threw): ${firstLine(file.message) || 'no message'}`);
    }
  }
  agree(part, [
    ['passed', part.passed, report.numPassedTests],
    ['failed tests', part.failed - fileFailures - part.ciFailed, report.numFailedTests],
    ['skipped', part.skipped + part.ciFailed, report.numPendingTests + (report.numTodoTests ?? 0)],
  ]);
  return part;
}

/** Our per-test walk must agree with the runner's own totals; a disagreement is a failure, not a footnote. */
function agree(part, pairs) {
  for (const [what, ours, theirs] of pairs) {
    if (theirs !== undefined && ours !== theirs) {
      part.failed += 1;
      part.failures.push(`the summary counts ${ours} ${what} where the runner's report says ${theirs}`);
    }
  }
}

function annotation(test, type) {
  const all = [...(test.annotations ?? []), ...(test.results ?? []).flatMap((r) => r.annotations ?? [])];
  return all.find((a) => a.type === type)?.description;
}

/**
 * Playwright's JSON report. `exitStatus` catches what no test carries (global setup, the web server,
 * forbidOnly): a non-zero exit with no failed test counts as one failure.
 */
export function countPlaywright(label, report, exitStatus, { ci = false } = {}) {
  const part = newPart(label);
  const walk = (suite, titles) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        const where = `${[...titles, spec.title].filter(Boolean).join(' > ')}`;
        if (test.status === 'expected' || test.status === 'flaky') part.passed += 1;
        else if (test.status === 'unexpected') {
          part.failed += 1;
          const error = (test.results ?? []).map((r) => r.error?.message).find(Boolean);
          part.failures.push(`${where}: ${firstLine(error)}`);
        } else skip(part, annotation(test, 'skip') ?? annotation(test, 'fixme'), annotation(test, 'ci-provided'), ci, where);
      }
    }
    for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
  };
  for (const suite of report.suites ?? []) walk(suite, [suite.title]);
  const stats = report.stats ?? {};
  agree(part, [
    ['passed', part.passed, stats.expected === undefined ? undefined : stats.expected + (stats.flaky ?? 0)],
    ['failed', part.failed - part.ciFailed, stats.unexpected],
    ['skipped', part.skipped + part.ciFailed, stats.skipped],
  ]);
  if (exitStatus !== 0 && part.failed === 0) {
    part.failed += 1;
    const errors = (report.errors ?? []).map((e) => firstLine(e.message)).filter(Boolean);
    part.failures.push(`exited with ${exitStatus}${errors.length > 0 ? `: ${errors.join('; ')}` : ''}`);
  }
  return part;
}

/** The workflow linter's report (test/lint-workflows.mjs): one test per workflow file, failed with its findings. */
export function countWorkflowLint(label, results) {
  const part = newPart(label);
  for (const { problems } of results) {
    if (problems.length === 0) part.passed += 1;
    else {
      part.failed += 1;
      for (const problem of problems) part.failures.push(problem);
    }
  }
  if (results.length === 0) {
    part.failed = 1;
    part.failures.push('no workflow files found in .github/workflows');
  }
  return part;
}

/** A runner that wrote no report counts as one failure. */
export function missingReport(label, exitStatus) {
  const part = newPart(label);
  part.failed = 1;
  part.failures.push(`produced no report (exit ${exitStatus})`);
  return part;
}

/** The summary's lines: per runner its counts, each skip reason with its count, each failure; then the total. */
export function formatSummary(parts) {
  const lines = [];
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const part of parts) {
    total.passed += part.passed;
    total.failed += part.failed;
    total.skipped += part.skipped;
    lines.push(`${part.label}: ${part.passed} passed, ${part.failed} failed, ${part.skipped} skipped`);
    for (const [reason, count] of [...part.skipReasons].sort((a, b) => b[1] - a[1])) lines.push(`  skipped ${count}: ${reason}`);
    for (const failure of part.failures) lines.push(`  failed: ${failure}`);
  }
  lines.push(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  return { lines, total };
}
