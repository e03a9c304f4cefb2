import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TOOLS } from '../../main/mcp/tools/index.ts';
import {
  ChildStdioTransport,
  cleanEnv,
  connectClient,
  spawnCli,
  startHttpChild,
  type CliChild,
  type RuntimeInfo,
} from '../helpers/mcp-harness.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// Node's module hooks, loaded with --import before the CLI: every module the bridge process loads is appended
// to LOAD_LOG, one URL a line, and how the bundle was asked for (require or import) to RESOLVE_LOG; at exit, the
// built-in modules Node loaded (process.moduleLoadList) go to BUILTIN_LOG
// (test/bench/bridge-cold-start.bench.mjs measures what this keeps small).
const LOAD_RECORDER = `import { appendFileSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.includes('bridge.bundle')) appendFileSync(process.env.RESOLVE_LOG, context.conditions.join(',') + '\\n');
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    appendFileSync(process.env.LOAD_LOG, url + '\\n');
    return nextLoad(url, context);
  },
});
process.once('exit', () => writeFileSync(process.env.BUILTIN_LOG, process.moduleLoadList.join('\\n')));
`;

/** The AI clients' bridge as `npm run build` ships it: one bundled file, started with Node's compile cache. */
describe('daytona-tray bridge loads only what the relay needs', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: { cli: CliChild; info: RuntimeInfo };
  let bridge: CliChild;
  let client: Client;
  let loadLog: string;
  let resolveLog: string;
  let builtinLog: string;
  let tmp: string;

  beforeAll(async () => {
    dir = await tempDir('daytona-tray-bridge-bundle-');
    loadLog = join(dir.path, 'loaded.txt');
    resolveLog = join(dir.path, 'resolved.txt');
    builtinLog = join(dir.path, 'builtins.txt');
    tmp = join(dir.path, 'tmp');
    await writeFile(join(dir.path, 'record-loads.mjs'), LOAD_RECORDER);
    // tools/list never calls Daytona: the server needs an account to start, not one that answers.
    server = await startHttpChild(
      cleanEnv({ DAYTONA_API_URL: 'http://127.0.0.1:9/api', DAYTONA_API_KEY: 'unused', DAYTONA_TRAY_HOME: dir.path, HOME: dir.path }),
      dir.path,
      dir.path,
    );
    await mkdir(tmp);
    bridge = spawnCli(
      ['bridge'],
      cleanEnv({ DAYTONA_TRAY_HOME: dir.path, LOAD_LOG: loadLog, RESOLVE_LOG: resolveLog, BUILTIN_LOG: builtinLog, TMPDIR: tmp }),
      dir.path,
      ['--import', pathToFileURL(join(dir.path, 'record-loads.mjs')).href],
    );
    client = await connectClient(new ChildStdioTransport(bridge));
  });
  afterAll(async () => {
    await client?.close().catch(() => {});
    await bridge?.kill();
    await server?.cli.kill();
    await dir?.cleanup();
  });

  it('relays tools/list from the running server while loading three files of ours and no dependency (no MCP SDK, no zod)', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(ALL_TOOLS.map((tool) => tool.name));
    expect(bridge.stderr()).toContain(`relaying to ${server.info.url}`);

    const loaded = (await readFile(loadLog, 'utf8'))
      .split('\n')
      .filter((url) => url.startsWith('file:'))
      .map((url) => relative(REPO_ROOT, new URL(url).pathname));
    const ours = loaded.filter((file) => !file.startsWith('..') && !file.endsWith('record-loads.mjs'));
    expect(ours).toEqual(['out/main/cli.js', 'out/main/cli/run-cli.js', 'out/main/mcp/bridge/bridge.bundle.cjs']);
    expect(loaded.filter((file) => file.includes('node_modules'))).toEqual([]);
    // require, not import(): import() of a CommonJS file scans its source for export names first.
    const asked = (await readFile(resolveLog, 'utf8')).trim().split('\n');
    expect(asked.length).toBeGreaterThan(0);
    for (const conditions of asked) expect(conditions.split(',')).toContain('require');
  });

  it("keeps V8's compiled code in Node's compile cache for the next start", async () => {
    await client.close();
    expect((await bridge.exited).code).toBe(0);
    const cache = join(tmp, 'node-compile-cache');
    expect(existsSync(cache)).toBe(true);
    expect(readdirSync(cache, { recursive: true }).length).toBeGreaterThan(0);
  });

  it('loads neither fs/promises nor parseArgs when no option is given', async () => {
    await bridge.exited;
    const builtins = (await readFile(builtinLog, 'utf8')).split('\n');
    expect(builtins).toContain('NativeModule http'); // the list is complete: the relay's own HTTP client is in it
    expect(builtins.filter((name) => /^NativeModule (fs\/promises|internal\/util\/parse_args)/.test(name))).toEqual([]);
  });
});
