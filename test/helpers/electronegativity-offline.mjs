// Runs @doyensec/electronegativity's scanner without the network and prints its findings as one JSON object
// on stdout: `node electronegativity-offline.mjs <input dir> <report.sarif> [electron version]`.
// - Its two fetches (translations, Electron's release list) go through `got`; offline, got's retry throws
//   from a timer on Node 24 ("The onCancel handler was attached after the promise settled") and kills the
//   run. Here they fail at once, as they would offline anyway, and the bundled English texts are used.
// - Its SARIF has no severity (level is only note/warning) and its CSV writer races its own header, so the
//   findings come from the scanner's API (with severity and confidence); the SARIF is still written.
import Module, { createRequire } from 'node:module';

const offline = () => Promise.reject(new Error('offline: electronegativity runs without network here'));
const originalLoad = Module._load;
Module._load = function loadWithoutNetwork(request, parent, isMain) {
  if (request === 'got') return Object.assign(offline, { get: offline, extend: () => offline });
  return originalLoad.call(this, request, parent, isMain);
};
// The scanner logs with console.log; stdout is for the result.
console.log = (...args) => process.stderr.write(`${args.join(' ')}\n`);

const [input, sarif, electronVersion = '45.5.0'] = process.argv.slice(2);
if (!input || !sarif) {
  process.stderr.write('usage: electronegativity-offline.mjs <input dir> <report.sarif> [electron version]\n');
  process.exit(2);
}
const load = createRequire(import.meta.url);
const run = load('@doyensec/electronegativity/dist/runner.js');
const result = await run({
  input,
  output: sarif,
  isSarif: true,
  isRelative: true,
  customScan: [],
  // Needs the network (Electron's release list); offline it would only warn.
  excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
  electronVersionOverride: electronVersion,
  parserPlugins: [],
});
process.stdout.write(
  `${JSON.stringify({
    checks: result.globalChecks + result.atomicChecks,
    errors: result.errors.length,
    issues: result.issues.map((issue) => ({
      id: issue.id,
      severity: issue.severity.name,
      confidence: issue.confidence.name,
      file: issue.file,
      line: issue.location?.line,
      column: issue.location?.column,
      manualReview: Boolean(issue.manualReview),
      description: issue.description,
    })),
  })}\n`,
);
