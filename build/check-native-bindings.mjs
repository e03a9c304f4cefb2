// electron-builder afterPack hook (electron-builder.yml `afterPack`): the packaged app must carry the native
// bindings of the platform and architecture it was built for, and no other. The OS keychain binding
// (@napi-rs/keyring), sharp (@img/sharp-*) and the terminal (@lydell/node-pty-*) ship prebuilt binaries as one
// npm package per platform, and npm installs only the building machine's: an app built on the wrong machine
// would carry a binding it cannot load (a Linux binding inside a Mac app) and fail at the first keychain call.
// The release workflow builds each OS on its own runner (.github/workflows/release.yml); this hook stops a
// build that would ship the wrong one anyway. Plain JavaScript: electron-builder loads it as it is.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** electron-builder's Arch enum (builder-util), by value. */
const ARCH_NAMES = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' };
/** The scopes and name prefixes of per-platform packages of our native dependencies. */
const FAMILIES = [
  { scope: '@napi-rs', prefix: 'keyring-', required: true },
  { scope: '@img', prefix: 'sharp-', required: false },
  { scope: '@lydell', prefix: 'node-pty-', required: false },
];

/** `linux-x64-gnu` → { os: 'linux', arch: 'x64' }; `libvips-linuxmusl-arm64` → { os: 'linux', arch: 'arm64' }. */
export function platformOf(suffix) {
  const match = /^(?:libvips-)?(darwin|linuxmusl|linux|win32|freebsd|android|wasm32)-([a-z0-9]+)/.exec(suffix);
  if (!match) return undefined;
  const arch = { arm: 'armv7l', armv7: 'armv7l' }[match[2]] ?? match[2];
  return { os: match[1] === 'linuxmusl' ? 'linux' : match[1], arch };
}

/**
 * Problems with the per-platform packages in a packaged app's node_modules (the unpacked side of app.asar,
 * where native code lives), for a target `platform` (darwin, win32, linux) and `arch`; empty when it is right.
 */
export function nativeBindingProblems(nodeModules, platform, arch) {
  const arches = arch === 'universal' ? ['x64', 'arm64'] : [arch];
  const problems = [];
  for (const family of FAMILIES) {
    const dir = join(nodeModules, family.scope);
    const names = existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith(family.prefix)) : [];
    const found = new Set();
    for (const name of names) {
      const target = platformOf(name.slice(family.prefix.length));
      if (!target) continue; // not a platform package (e.g. a helper)
      if (target.os !== platform || !arches.includes(target.arch)) {
        problems.push(`${family.scope}/${name} is a binding for ${target.os}-${target.arch}, not for ${platform}-${arch}`);
      } else found.add(target.arch);
    }
    if (family.required) {
      for (const wanted of arches) {
        if (!found.has(wanted)) {
          problems.push(
            `no ${family.scope}/${family.prefix}${platform}-${wanted}* binding: build this target on a ${platform} ${wanted} machine after 'npm ci' there`,
          );
        }
      }
    }
  }
  return problems;
}

/** The hook: throws (failing the build) with every problem found. */
export default async function afterPack(context) {
  const platform = context.electronPlatformName;
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  const resources =
    platform === 'darwin' || platform === 'mas'
      ? join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`, 'Contents', 'Resources')
      : join(context.appOutDir, 'resources');
  const problems = nativeBindingProblems(
    join(resources, 'app.asar.unpacked', 'node_modules'),
    platform === 'mas' ? 'darwin' : platform,
    arch,
  );
  if (problems.length > 0) throw new Error(`The packaged app has the wrong native bindings:\n- ${problems.join('\n- ')}`);
}
