import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript loaded by electron-builder as it is; no declarations
import afterPack, { nativeBindingProblems, platformOf } from '../../build/check-native-bindings.mjs';
import { tempDir } from '../helpers/temp-dir.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A packaged app's unpacked node_modules holding these packages (folders, as npm lays them out). */
async function layout(packages: string[]): Promise<string> {
  const dir = await tempDir('native-bindings-');
  cleanups.push(dir.cleanup);
  for (const name of packages) await mkdir(join(dir.path, 'node_modules', name), { recursive: true });
  return join(dir.path, 'node_modules');
}

describe("the packaged app's native bindings (electron-builder afterPack)", () => {
  it('reads the platform from per-platform package names', () => {
    expect(platformOf('linux-x64-gnu')).toEqual({ os: 'linux', arch: 'x64' });
    expect(platformOf('darwin-arm64')).toEqual({ os: 'darwin', arch: 'arm64' });
    expect(platformOf('win32-x64-msvc')).toEqual({ os: 'win32', arch: 'x64' });
    expect(platformOf('libvips-linuxmusl-arm64')).toEqual({ os: 'linux', arch: 'arm64' });
    expect(platformOf('linux-arm-gnueabihf')).toEqual({ os: 'linux', arch: 'armv7l' });
    expect(platformOf('colour')).toBeUndefined();
  });

  it("accepts the target's own bindings", async () => {
    const linux = await layout([
      '@napi-rs/keyring',
      '@napi-rs/keyring-linux-x64-gnu',
      '@img/sharp-linux-x64',
      '@img/sharp-libvips-linux-x64',
      '@img/colour',
    ]);
    expect(nativeBindingProblems(linux, 'linux', 'x64')).toEqual([]);
    const mac = await layout([
      '@napi-rs/keyring-darwin-arm64',
      '@napi-rs/keyring-darwin-x64',
      '@lydell/node-pty-darwin-arm64',
      '@lydell/node-pty-darwin-x64',
    ]);
    expect(nativeBindingProblems(mac, 'darwin', 'universal')).toEqual([]);
  });

  it('refuses a Linux binding inside a Mac app, and a Mac app without its own keychain binding', async () => {
    const wrong = await layout(['@napi-rs/keyring', '@napi-rs/keyring-linux-x64-gnu', '@img/sharp-linux-x64']);
    const problems = nativeBindingProblems(wrong, 'darwin', 'arm64');
    expect(problems).toEqual([
      '@napi-rs/keyring-linux-x64-gnu is a binding for linux-x64, not for darwin-arm64',
      "no @napi-rs/keyring-darwin-arm64* binding: build this target on a darwin arm64 machine after 'npm ci' there",
      '@img/sharp-linux-x64 is a binding for linux-x64, not for darwin-arm64',
    ]);
    // The other architecture counts as wrong too.
    const x64Only = await layout(['@napi-rs/keyring-win32-x64-msvc']);
    expect(nativeBindingProblems(x64Only, 'win32', 'arm64')).toHaveLength(2);
  });

  it('fails the build from the hook, reading the layout electron-builder packed (resources/ on Linux, the .app on macOS)', async () => {
    const linux = await layout(['@napi-rs/keyring-linux-x64-gnu']);
    const appOutDir = join(linux, '..', 'linux-unpacked');
    await mkdir(join(appOutDir, 'resources', 'app.asar.unpacked'), { recursive: true });
    const { rename } = await import('node:fs/promises');
    await rename(linux, join(appOutDir, 'resources', 'app.asar.unpacked', 'node_modules'));
    const context = (platform: string, arch: number) => ({
      appOutDir,
      electronPlatformName: platform,
      arch,
      packager: { appInfo: { productFilename: 'Daytona Tray' } },
    });
    await expect(afterPack(context('linux', 1))).resolves.toBeUndefined();
    await expect(afterPack(context('linux', 3))).rejects.toThrow(/keyring-linux-x64-gnu is a binding for linux-x64, not for linux-arm64/);
    await expect(afterPack(context('darwin', 3))).rejects.toThrow(/no @napi-rs\/keyring-darwin-arm64/);
  });
});
