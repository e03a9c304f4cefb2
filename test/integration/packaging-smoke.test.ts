import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { listPackage } from '@electron/asar';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipNow } from '../helpers/skip.ts';
import { parse } from 'yaml';
import { APP_ID } from '../../main/app/app-identity.ts';
import { outsideArchive } from '../../main/core/app-paths.ts';
import { bridgeLaunchForThisProcess, type BridgeLaunch } from '../../main/core/clients/bridge-launch.ts';
import { bridgeLauncherPath, installBridgeLauncher } from '../../main/core/clients/bridge-launcher.ts';
import { processAlive } from '../../main/core/process-alive.ts';
import { cleanEnv } from '../helpers/mcp-harness.ts';
import { ensureBuiltWindow } from '../helpers/built-window.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// A stand-in "unpacked Electron" (no network, no real binary): enough for electron-builder to lay out the app,
// write app.asar and flip the fuses in the executable's fuse wire (https://www.electronjs.org/docs/latest/tutorial/fuses).
const STUB_ELECTRON = join(REPO_ROOT, 'test', 'fixtures', 'stub-electron-dist');
const ENABLE = 49; // '1'
// A client's own Daytona account in its environment: the bridge serves in its process (listing needs no Daytona).
const OWN_ACCOUNT = { DAYTONA_API_URL: 'http://127.0.0.1:9/api', DAYTONA_API_KEY: 'unused' };
const DISABLE = 48; // '0'

/** `electron-builder --dir --linux` against the real electron-builder.yml, into a temp folder. */
describe('packaging (electron-builder --dir with a stub Electron)', () => {
  let out: { path: string; cleanup: () => Promise<void> };
  let appDir: string;
  let files: string[];
  let build: { status: number | null; output: string };

  beforeAll(async () => {
    // The asar must hold the window and its preload.
    ensureBuiltWindow();
    out = await tempDir('daytona-tray-package-');
    const result = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'node_modules', 'electron-builder', 'cli.js'),
        '--dir',
        '--linux',
        '--x64',
        '--publish',
        'never',
        `-c.electronDist=${STUB_ELECTRON}`,
        `-c.directories.output=${out.path}`,
      ],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...process.env, CI: 'true', ELECTRON_BUILDER_CACHE: join(out.path, 'cache') },
        timeout: 240_000,
      },
    );
    build = { status: result.status, output: `${result.stdout}\n${result.stderr}` };
    appDir = join(out.path, 'linux-unpacked');
    files = build.status === 0 ? listPackage(join(appDir, 'resources', 'app.asar'), { isPack: false }) : [];
  }, 300_000);

  afterAll(() => out?.cleanup());

  it('builds the unpacked Linux app', () => {
    expect(build.status, build.output).toBe(0);
    expect(existsSync(join(appDir, 'daytona-tray'))).toBe(true);
    expect(existsSync(join(appDir, 'resources', 'app.asar'))).toBe(true);
  });

  it('ships main, preload, renderer, the CLI with the MCP server and the stdio bridge, and the tray icons in app.asar', () => {
    for (const file of [
      '/package.json',
      '/out/main/index.js', // the tray app (package.json "main")
      '/out/main/shell/run-shell.js',
      '/out/preload/index.cjs', // the sandboxed preload
      '/out/renderer/index.html',
      '/out/main/cli.js', // run in node mode by the supervisor and by AI clients
      '/out/main/cli/mcp-command.js',
      '/out/main/mcp/server.js',
      '/out/main/mcp/http-transport.js',
      '/out/main/mcp/bridge/bridge.bundle.cjs', // the stdio bridge as one file: what `daytona-tray bridge` runs
      '/out/main/cli/bridge-command.js', // the same, as tsc emits it
      '/out/main/mcp/bridge/in-process-upstream.js', // and its in-process server, loaded only when no server runs
      '/out/main/local/provider.js',
      '/out/main/core/secrets/keyring-worker.js',
      '/resources/tray/tray-idleTemplate.png',
      '/resources/tray/tray-error@2x.png',
      '/resources/icon.png',
      '/node_modules/@modelcontextprotocol/sdk/package.json',
      '/node_modules/@daytonaio/sdk/package.json',
      '/node_modules/zod/package.json',
    ]) {
      expect(files, file).toContain(file);
    }
    expect(files.some((file) => file.startsWith('/out/renderer/assets/') && file.endsWith('.js'))).toBe(true);
  });

  it('leaves out sources, tests, source maps, dev dependencies and the Electron binary itself', () => {
    const unwanted = files.filter(
      (file) =>
        file.endsWith('.map') ||
        (file.endsWith('.d.ts') && !/^\/node_modules\/typescript\/lib\/lib\.[\w.]+\.d\.ts$/.test(file)) ||
        file.startsWith('/out/preload/vite.config') ||
        file.startsWith('/main/') ||
        file.startsWith('/test/') ||
        file.startsWith('/renderer/') ||
        /^\/node_modules\/(electron|electron-builder|vitest|typescript-eslint|@playwright|@doyensec)(\/|$)/.test(file) ||
        file === '/resources/tray/generate-icons.mjs',
    );
    expect(unwanted).toEqual([]);
  });

  it('ships the language servers the local provider runs in sandboxes, with TypeScript’s standard library declarations', () => {
    for (const file of [
      '/node_modules/typescript-language-server/package.json',
      '/node_modules/pyright/package.json',
      '/node_modules/typescript/lib/tsserver.js',
      '/node_modules/typescript/lib/lib.es5.d.ts', // without it, no completion knows a string's methods
    ]) {
      expect(files, file).toContain(file);
    }
    // Sandboxes see them through a read-only mount of a real folder: unpacked beside the archive.
    const unpacked = join(appDir, 'resources', 'app.asar.unpacked', 'node_modules');
    for (const file of ['typescript/lib/lib.es5.d.ts', 'typescript/lib/tsserver.js', 'typescript-language-server/package.json']) {
      expect(existsSync(join(unpacked, file)), file).toBe(true);
    }
  });

  it('unpacks the CLI with its package.json and dependencies beside the archive; the window stays inside it', () => {
    const unpacked = join(appDir, 'resources', 'app.asar.unpacked');
    for (const file of [
      'package.json', // "type": "module" for the CLI's .js files, and the version it prints
      'out/main/cli.js',
      'out/main/mcp/bridge/bridge.bundle.cjs',
      'out/main/core/secrets/keyring-worker.js',
      'out/preload/contract.js', // main/ imports the window's contract
      'node_modules/@modelcontextprotocol/sdk/package.json',
      'node_modules/@daytonaio/sdk/package.json',
    ]) {
      expect(existsSync(join(unpacked, file)), file).toBe(true);
    }
    expect(existsSync(join(unpacked, 'out', 'renderer'))).toBe(false);
    expect(existsSync(join(unpacked, 'out', 'preload', 'index.cjs'))).toBe(false);
  });

  // The command line the packaged app writes into client configs, run against this layout. The stub Electron cannot
  // run, so plain node plays the app's executable (as ELECTRON_RUN_AS_NODE=1 makes it): in the command's place for an
  // installed app (deb, dmg, nsis); for an AppImage, copied into a stand-in mount, with a stand-in AppImage file that
  // does what the AppImage runtime and electron-builder's AppRun do (set $APPIMAGE and $APPDIR, exec the executable
  // with the args; AppRun adds no --no-sandbox when an arg is one). A real MCP client lists the tools through each,
  // served from the unpacked CLI (the client's own account in its env makes the bridge serve in its process).
  let appImage: { file: string; mount: string; launcher: string; home: string } | undefined;
  function appImageLayout(): NonNullable<typeof appImage> {
    if (appImage) return appImage;
    const mount = join(out.path, '.mount_DaytonTest');
    mkdirSync(mount);
    symlinkSync(join(appDir, 'resources'), join(mount, 'resources'));
    copyFileSync(process.execPath, join(mount, 'daytona-tray'));
    chmodSync(join(mount, 'daytona-tray'), 0o755);
    const file = join(out.path, 'Daytona-Tray.AppImage');
    writeFileSync(
      file,
      `#!/bin/sh\nAPPIMAGE="$0" APPDIR=${JSON.stringify(mount)} exec ${JSON.stringify(join(mount, 'daytona-tray'))} "$@"\n`,
    );
    chmodSync(file, 0o755);
    const home = join(out.path, 'home-AppImage');
    appImage = { file, mount, launcher: bridgeLauncherPath(home), home };
    return appImage;
  }

  /** What the packaged app would write, from inside the layout (main/index.ts derives the CLI from its own URL). */
  function entryOf(mode: 'installed' | 'AppImage'): BridgeLaunch {
    if (mode === 'installed') {
      const cli = outsideArchive(join(appDir, 'resources', 'app.asar', 'out', 'main', 'cli.js'));
      return bridgeLaunchForThisProcess(cli, {}, { proc: { execPath: join(appDir, 'daytona-tray'), electron: true, env: {} } });
    }
    const { file, mount, launcher } = appImageLayout();
    const cli = outsideArchive(join(mount, 'resources', 'app.asar', 'out', 'main', 'cli.js'));
    return bridgeLaunchForThisProcess(
      cli,
      {},
      {
        launcher,
        proc: { execPath: join(mount, 'daytona-tray'), electron: true, env: { APPIMAGE: file, APPDIR: mount } },
      },
    );
  }

  async function listToolsThrough(
    command: string,
    args: string[],
    env: Record<string, string>,
  ): Promise<{ tools: string[]; stderr: string }> {
    const transport = new StdioClientTransport({ command, args, env, stderr: 'pipe' });
    const stderr: string[] = [];
    transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const client = new Client({ name: 'packaging-test', version: '0.0.0' });
    try {
      await client.connect(transport, { timeout: 60_000 });
      const tools = (await client.listTools(undefined, { timeout: 60_000 })).tools.map((tool) => tool.name);
      return { tools, stderr: stderr.join('') };
    } catch (error) {
      throw new Error(`${(error as Error).message}\nbridge stderr:\n${stderr.join('')}`, { cause: error });
    } finally {
      await client.close();
    }
  }

  it('the client entry of the installed app starts the bridge from outside app.asar', async () => {
    expect(build.status, build.output).toBe(0);
    const launch = entryOf('installed');
    expect(launch).toEqual({
      command: join(appDir, 'daytona-tray'),
      args: [join(appDir, 'resources', 'app.asar.unpacked', 'out', 'main', 'cli.js'), 'bridge'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    const home = join(out.path, 'home-installed');
    const env = cleanEnv({ ...launch.env, HOME: home, DAYTONA_TRAY_HOME: home, ...OWN_ACCOUNT }) as Record<string, string>;
    // Plain node cannot read app.asar at all: every module the bridge and its in-process server loaded was a real file.
    const { tools, stderr } = await listToolsThrough(process.execPath, launch.args, env);
    expect(tools, stderr).toEqual(expect.arrayContaining(['create_sandbox', 'execute_command']));
  }, 120_000);

  it('the client entry of an AppImage runs $APPIMAGE on the data folder’s launcher, which starts the bridge from the mount', async () => {
    expect(build.status, build.output).toBe(0);
    const { file, launcher, home } = appImageLayout();
    const launch = entryOf('AppImage');
    expect(launch).toEqual({ command: file, args: [launcher, '--no-sandbox', 'bridge'], env: { ELECTRON_RUN_AS_NODE: '1' } });
    expect(await installBridgeLauncher(launcher)).toBe(true);
    const env = cleanEnv({ ...launch.env, HOME: home, DAYTONA_TRAY_HOME: home, ...OWN_ACCOUNT }) as Record<string, string>;
    const { tools, stderr } = await listToolsThrough(launch.command, launch.args, env);
    expect(tools, stderr).toEqual(expect.arrayContaining(['create_sandbox', 'execute_command']));
  }, 120_000);

  it('an AppImage bridge with no server running starts the shared one through the AppImage, so it outlives the bridge’s mount', async () => {
    expect(build.status, build.output).toBe(0);
    const { launcher, home } = appImageLayout();
    const launch = entryOf('AppImage');
    await installBridgeLauncher(launcher);
    const env = cleanEnv({
      ...launch.env,
      HOME: home,
      DAYTONA_TRAY_HOME: home,
      DAYTONA_TRAY_SHARED_GRACE_MS: '500',
      DAYTONA_TRAY_NO_BWRAP: '1',
    }) as Record<string, string>;
    const { tools, stderr } = await listToolsThrough(launch.command, launch.args, env);
    expect(tools, stderr).toEqual(expect.arrayContaining(['create_sandbox', 'list_sandboxes']));
    const shared = Number(/shared MCP server \(pid (\d+)/.exec(stderr)?.[1]);
    expect(shared, stderr).toBeGreaterThan(0);
    try {
      // Started as `$APPIMAGE <launcher> --no-sandbox mcp ...` (the stand-in AppImage execs the mount's executable).
      const argv = readFileSync(`/proc/${shared}/cmdline`, 'utf8').split('\0');
      expect(argv.slice(1, 4)).toEqual([launcher, '--no-sandbox', 'mcp']);
      await expect.poll(() => processAlive(shared), { timeout: 60_000 }).toBe(false);
    } finally {
      if (processAlive(shared)) process.kill(shared, 'SIGTERM');
    }
  }, 180_000);

  it('the keychain worker runs from the unpacked layout, its native binding loaded there (node in the executable’s place)', () => {
    expect(build.status, build.output).toBe(0);
    // What the keychain store spawns in the packaged app: the worker beside app.asar (keyring-secret-store.ts). A
    // malformed request is answered after @napi-rs/keyring loaded, without touching any keychain.
    const worker = outsideArchive(join(appDir, 'resources', 'app.asar', 'out', 'main', 'core', 'secrets', 'keyring-worker.js'));
    const result = spawnSync(process.execPath, [worker], {
      input: '{}',
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ ok: false, error: 'keyring worker: malformed request' });
  });

  it('unpacks the native keychain binding next to the archive (native code cannot load from inside it)', () => {
    const unpacked = join(appDir, 'resources', 'app.asar.unpacked', 'node_modules', '@napi-rs');
    const native = readdirSync(unpacked, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.node'));
    expect(native.length, `native modules under ${unpacked}`).toBeGreaterThan(0);
  });

  it('flips the fuses: RunAsNode and NODE_OPTIONS stay on (the bridge and children need them: NODE_EXTRA_CA_CERTS), inspect off, cookie encryption, asar integrity and only-load-from-asar on', async () => {
    const wire = await getCurrentFuseWire(join(appDir, 'daytona-tray'));
    expect({
      runAsNode: wire[FuseV1Options.RunAsNode],
      cookieEncryption: wire[FuseV1Options.EnableCookieEncryption],
      nodeOptions: wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable],
      inspect: wire[FuseV1Options.EnableNodeCliInspectArguments],
      asarIntegrity: wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation],
      onlyLoadFromAsar: wire[FuseV1Options.OnlyLoadAppFromAsar],
      v8Snapshot: wire[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot],
      fileProtocolPrivileges: wire[FuseV1Options.GrantFileProtocolExtraPrivileges],
    }).toEqual({
      runAsNode: ENABLE,
      cookieEncryption: ENABLE,
      nodeOptions: ENABLE,
      inspect: DISABLE,
      asarIntegrity: ENABLE,
      onlyLoadFromAsar: ENABLE,
      v8Snapshot: DISABLE,
      fileProtocolPrivileges: DISABLE,
    });
  });

  // The installers proper, from the unpacked app above (--prepackaged: no second layout). electron-builder
  // downloads each target's build tool (fpm for deb, appimagetool for AppImage) from GitHub, retrying for a
  // minute where it cannot. Where GitHub is unreachable: the deb build runs against a system fpm (none here, so it
  // stops at that step, after every metadata check: missing homepage or author email still fails the test), and
  // the AppImage build is skipped with that reason.
  for (const [target, extension] of [
    ['deb', '.deb'],
    ['AppImage', '.AppImage'],
  ] as const) {
    it(`builds the ${target} installer (metadata complete)`, async (ctx) => {
      expect(build.status, build.output).toBe(0);
      const offline = await unreachable('github.com');
      if (offline && target === 'AppImage')
        skipNow(ctx, `appimagetool is downloaded from github.com, which is not reachable here (${offline})`);
      const result = spawnSync(
        process.execPath,
        [
          join(REPO_ROOT, 'node_modules', 'electron-builder', 'cli.js'),
          '--linux',
          target,
          '--x64',
          '--publish',
          'never',
          '--prepackaged',
          appDir,
          `-c.directories.output=${out.path}`,
        ],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          env: {
            ...process.env,
            CI: 'true',
            ELECTRON_BUILDER_CACHE: join(out.path, 'cache'),
            ...(offline ? { USE_SYSTEM_FPM: 'true' } : {}),
          },
          timeout: 240_000,
        },
      );
      const output = `${result.stdout}\n${result.stderr}`;
      expect(output).not.toMatch(/Please specify|is required to set Linux \.deb package maintainer/);
      if (result.status !== 0 && offline && /fpm process failed ENOENT/.test(output)) {
        skipNow(
          ctx,
          `fpm is not installed and github.com, where electron-builder downloads it, is not reachable here (${offline}); the metadata checks before it passed`,
        );
      }
      expect(result.status, output).toBe(0);
      expect(readdirSync(out.path).filter((file) => file.endsWith(extension))).toHaveLength(1);
    }, 300_000);
  }

  it('configures the installers: appId = the runtime AppUserModelID, tray-only macOS app with hardened runtime, nsis, AppImage and deb', () => {
    const config = parse(readFileSync(join(REPO_ROOT, 'electron-builder.yml'), 'utf8'));
    expect(config).toMatchObject({
      appId: APP_ID,
      productName: 'Daytona Tray',
      asar: true,
      electronFuses: {
        runAsNode: true,
        enableNodeOptionsEnvironmentVariable: true,
        enableNodeCliInspectArguments: false,
        enableCookieEncryption: true,
        enableEmbeddedAsarIntegrityValidation: true,
        onlyLoadAppFromAsar: true,
      },
      mac: {
        target: ['dmg', 'zip'],
        hardenedRuntime: true,
        entitlements: 'resources/entitlements.mac.plist',
        extendInfo: { LSUIElement: true },
      },
      win: { target: ['nsis'] },
      linux: { target: ['AppImage', 'deb'] },
    });
    const entitlements = readFileSync(join(REPO_ROOT, config.mac.entitlements), 'utf8');
    expect(entitlements).toContain('<key>com.apple.security.cs.allow-jit</key>');
    const scripts = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.package).toMatch(/npm run build && electron-builder/);
  });
});

/** Why `host` cannot be reached on 443 within a few seconds, or undefined when it can. */
async function unreachable(host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port: 443, timeout: 3_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('no answer within 3 s');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}
