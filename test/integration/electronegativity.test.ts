import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WINDOW_CSP } from '../../preload/window-csp.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// Electronegativity (Doyensec's Electron security lint) over the app's main/, preload/ and renderer/ sources,
// scanned together so its global checks (CSP, navigation limits, permission handler) see the whole app. Its
// CLI always exits 0 and its SARIF carries no severity, so the wrapper returns the scanner's findings with
// their severity as JSON; the SARIF report is kept in test-results/ for code-scanning tools.
const RUNNER = join(REPO_ROOT, 'test', 'helpers', 'electronegativity-offline.mjs');
const ARTIFACTS = join(REPO_ROOT, 'test-results', 'electronegativity');
const ELECTRON_VERSION = '45.5.0';

interface Finding {
  id: string;
  severity: 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';
  confidence: string;
  file: string;
  line: number;
  manualReview: boolean;
  description: string;
}

function scan(input: string, sarif: string): Finding[] {
  const result = spawnSync(process.execPath, [RUNNER, input, sarif, ELECTRON_VERSION], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`electronegativity exited ${result.status}: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as { checks: number; errors: number; issues: Finding[] };
  // A file it could not parse is a file it did not check.
  if (report.errors > 0 || report.checks < 40)
    throw new Error(`electronegativity ran ${report.checks} checks with ${report.errors} parse errors: ${result.stderr}`);
  return report.issues;
}

describe('electronegativity security lint', () => {
  let scratch: { path: string; cleanup: () => Promise<void> };
  let app: Finding[];
  let insecure: Finding[];

  beforeAll(async () => {
    scratch = await tempDir('daytona-tray-lint-');
    await mkdir(ARTIFACTS, { recursive: true });
    // The app as Electron sees it: main process, preload and window sources, with the Electron version we ship.
    const target = join(scratch.path, 'app');
    for (const dir of ['main', 'preload', 'renderer']) await cp(join(REPO_ROOT, dir), join(target, dir), { recursive: true });
    // The shells send the window's policy as a response header built from preload/window-csp.ts, which the lint
    // cannot read from the code; it reads policies from HTML, so the copy gets the policy as a meta tag to judge.
    await writeFile(
      join(target, 'renderer', 'window-csp.html'),
      `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${WINDOW_CSP}"></head></html>\n`,
    );
    await writeFile(
      join(target, 'package.json'),
      JSON.stringify({ name: 'daytona-tray', main: 'main/index.ts', devDependencies: { electron: ELECTRON_VERSION } }),
    );
    app = scan(target, join(ARTIFACTS, 'app.sarif'));
    await writeFile(join(ARTIFACTS, 'app.json'), `${JSON.stringify(app, null, 2)}\n`);
    insecure = scan(join(REPO_ROOT, 'test', 'fixtures', 'insecure-electron'), join(scratch.path, 'insecure.sarif'));
  }, 180_000);

  afterAll(() => scratch?.cleanup());

  it('reports no HIGH finding in main/, preload/ and renderer/', () => {
    const high = app.filter((finding) => finding.severity === 'HIGH');
    expect(high, JSON.stringify(high, null, 2)).toEqual([]);
  });

  it('finds the hardening it looks for: a CSP, navigation limits, a permission handler, isolation and sandbox on', () => {
    const ids = new Set(app.map((finding) => finding.id));
    for (const id of [
      'LIMIT_NAVIGATION_GLOBAL_CHECK',
      'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK',
      'CONTEXT_ISOLATION_JS_CHECK',
      'SANDBOX_JS_CHECK',
      'NODE_INTEGRATION_JS_CHECK',
      'WEB_SECURITY_JS_CHECK',
      'INSECURE_CONTENT_JS_CHECK',
    ]) {
      expect(ids, id).not.toContain(id);
    }
    expect(app.filter((finding) => finding.id === 'CSP_GLOBAL_CHECK').map((finding) => finding.description)).not.toContain(
      'No CSP has been detected in the target application',
    );
  });

  it('writes a SARIF 2.1.0 report with the same findings for code scanning', async () => {
    const sarif = JSON.parse(await readFile(join(ARTIFACTS, 'app.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].tool.driver.name).toBe('Electronegativity');
    expect(sarif.runs[0].results.map((result: { ruleId: string }) => result.ruleId).sort()).toEqual(
      app.map((finding) => finding.id).sort(),
    );
  });

  it('trips on an insecure window (the negative control): HIGH findings are detected', () => {
    const high = insecure.filter((finding) => finding.severity === 'HIGH').map((finding) => finding.id);
    expect(high).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK']));
  });
});
