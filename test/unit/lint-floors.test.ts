import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.ts';

// The floors in eslint.config.js, driven through ESLint's own API with the repository's config. Each probe is
// linted as if it were a file at `path` (lintText with a file path: nothing is written into the tree), and its
// imports name real modules, so the resolver sees exactly what it would see in a real file there.

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: REPO_ROOT });
});

/** The floor rules a probe breaks, as `rule: line`. */
async function floorsBroken(path: string, code: string): Promise<string[]> {
  // An import that resolves to nothing is not checked at all, so every probe must name modules that exist.
  for (const [, specifier] of code.matchAll(/['"](\.{1,2}\/[^'"]+)['"]/g)) {
    expect(
      existsSync(resolve(dirname(join(REPO_ROOT, path)), specifier!)),
      `${specifier} from ${path} names a real module (update the probe if it moved)`,
    ).toBe(true);
  }
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, path) });
  expect(result, `ESLint linted ${path}`).toBeDefined();
  const fatal = result!.messages.filter((message) => message.fatal);
  expect(fatal, `${path} parses`).toEqual([]);
  return result!.messages
    .filter((message) => message.ruleId === 'import-x/no-restricted-paths' || message.ruleId === 'no-restricted-properties')
    .map((message) => `${message.ruleId}: ${message.line}`);
}

describe('the import floors', () => {
  it('main/core may not import from mcp, local, app, shell or cli, statically or dynamically', async () => {
    const code = [
      "import { createServer } from '../mcp/server.ts';",
      "import type { LocalProvider } from '../local/provider-port.ts';",
      "import { buildAppState } from '../app/app-state.ts';",
      "import { runCli } from '../cli/run-cli.ts';",
      "export const load = () => import('../local/provider.ts');",
      'export const probe: unknown[] = [createServer, buildAppState, runCli, null as unknown as LocalProvider];',
    ].join('\n');
    expect(await floorsBroken('main/core/floor-probe.ts', code)).toEqual([
      'import-x/no-restricted-paths: 1',
      'import-x/no-restricted-paths: 2',
      'import-x/no-restricted-paths: 3',
      'import-x/no-restricted-paths: 4',
      'import-x/no-restricted-paths: 5',
    ]);
  });

  it('main/core may import main/core (the probe is not refused for being a probe)', async () => {
    const code = "import { redact } from '../redact.ts';\nexport const probe = redact;\n";
    expect(await floorsBroken('main/core/supervisor/floor-probe.ts', code)).toEqual([]);
  });

  it('main/core may import preload/contract.ts, the floor below it (where TOOL_GROUPS and NOTIFICATION_KINDS are defined once)', async () => {
    const code = "import { TOOL_GROUPS } from '../../../preload/contract.ts';\nexport const probe = TOOL_GROUPS;\n";
    expect(await floorsBroken('main/core/settings/floor-probe.ts', code)).toEqual([]);
  });

  it('main/core/billing may not import main/core/auth', async () => {
    const code = "import { signInWithBrowser } from '../auth/sign-in.ts';\nexport const probe = signInWithBrowser;\n";
    expect(await floorsBroken('main/core/billing/floor-probe.ts', code)).toEqual(['import-x/no-restricted-paths: 1']);
  });

  it('preload/ may not import main/, even a type', async () => {
    const code = "import type { ToolGroup } from '../main/core/settings/settings-schema.ts';\nexport type Probe = ToolGroup;\n";
    expect(await floorsBroken('preload/floor-probe.ts', code)).toEqual(['import-x/no-restricted-paths: 1']);
  });

  it('main/mcp reaches main/local only through its port, and main/local never imports main/mcp', async () => {
    const direct = "import { startLocalProvider } from '../local/provider.ts';\nexport const probe = startLocalProvider;\n";
    expect(await floorsBroken('main/mcp/floor-probe.ts', direct)).toEqual(['import-x/no-restricted-paths: 1']);
    const throughPort = "import { startLocalProvider } from '../local/provider-port.ts';\nexport const probe = startLocalProvider;\n";
    expect(await floorsBroken('main/mcp/floor-probe.ts', throughPort)).toEqual([]);
    const upward = "import { createServer } from '../mcp/server.ts';\nexport const probe = createServer;\n";
    expect(await floorsBroken('main/local/floor-probe.ts', upward)).toEqual(['import-x/no-restricted-paths: 1']);
  });

  it('main/mcp and main/local may not import the app, the shells or the CLI', async () => {
    const code = "import { buildAppState } from '../app/app-state.ts';\nexport const probe = buildAppState;\n";
    expect(await floorsBroken('main/mcp/floor-probe.ts', code)).toEqual(['import-x/no-restricted-paths: 1']);
    expect(await floorsBroken('main/local/floor-probe.ts', code)).toEqual(['import-x/no-restricted-paths: 1']);
  });

  it('renderer/ reaches main only through its bridge module and the types in preload/contract.ts', async () => {
    const allowed = "import type { AppState } from '../../preload/contract.ts';\nexport type Probe = AppState;\n";
    expect(await floorsBroken('renderer/src/floor-probe.ts', allowed)).toEqual([]);
    const mainImport = "import { redact } from '../../main/core/redact.ts';\nexport const probe = redact;\n";
    expect(await floorsBroken('renderer/src/floor-probe.ts', mainImport)).toEqual(['import-x/no-restricted-paths: 1']);
    const preloadScript = "import '../../preload/index.ts';\n";
    expect(await floorsBroken('renderer/src/floor-probe.ts', preloadScript)).toEqual(['import-x/no-restricted-paths: 1']);
    const bypass = 'export const probe = () => window.bridge;\n';
    expect(await floorsBroken('renderer/src/components/floor-probe.tsx', bypass)).toEqual(['no-restricted-properties: 1']);
  });
});

describe('file length under main/', () => {
  const MAX_LINES = 400;

  it(`no file under main/ is longer than ${MAX_LINES} lines (split it by concern)`, () => {
    // main/local/sandbox-service.ts was the last one over (issue 9); it was split, so no file is exempt.
    const offenders = readdirSync(join(REPO_ROOT, 'main'), { recursive: true, encoding: 'utf8' })
      .filter((name) => /\.tsx?$/.test(name))
      .map((name) => ({ name: `main/${name}`, lines: readFileSync(join(REPO_ROOT, 'main', name), 'utf8').split('\n').length - 1 }))
      .filter((file) => file.lines > MAX_LINES)
      .map((file) => `${file.name}: ${file.lines} lines`);
    expect(offenders).toEqual([]);
  });

  it('lint says so too, naming the file: a 401-line module under main/ breaks max-lines', async () => {
    const code = Array.from({ length: MAX_LINES + 1 }, (_, i) => `export const line${i} = ${i};`).join('\n') + '\n';
    const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, 'main/core/length-probe.ts') });
    expect(result!.messages.filter((message) => message.ruleId === 'max-lines').map((message) => message.message)).toEqual([
      `File has too many lines (${MAX_LINES + 1}). Maximum allowed is ${MAX_LINES}.`,
    ]);
    const [short] = await eslint.lintText(code.split('\n').slice(1).join('\n'), { filePath: join(REPO_ROOT, 'main/core/length-probe.ts') });
    expect(short!.messages.filter((message) => message.ruleId === 'max-lines')).toEqual([]);
  });
});
