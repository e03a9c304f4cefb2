import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SANDBOX_HOME, SANDBOX_USER } from '../sandbox-record.ts';
import { closeInheritedDescriptors } from './agent/inherited-fds.ts';
import { bubblewrapRunner, type OwnNetworkSetup } from './bubblewrap-runner.ts';
import { DEFAULT_PIDS_MAX, setupCgroups, type CgroupHost } from './cgroups/index.ts';
import { plainRunner } from './plain-runner.ts';
import { findUtility, probeNamespaceTools, type NamespaceTools } from './probe.ts';
import type { RunningSandbox, SandboxLayout, SandboxRunner } from './types.ts';

export type {
  BindMount,
  CommandSpec,
  NetworkPolicy,
  PtySpec,
  RunningSandbox,
  SandboxDirs,
  SandboxLayout,
  SandboxPty,
  SandboxRunner,
  SandboxSpec,
} from './types.ts';
export { findBubblewrap, findNamespaceTools, type NamespaceTools } from './probe.ts';
export type { SandboxRoot } from './sandbox-root.ts';

const LAYOUTS: readonly SandboxLayout[] = ['nested', 'flat'];

/**
 * Picks bubblewrap when it works here, else plain processes (flagged "not isolated" by the provider).
 * `etcDir` receives the passwd/group files the sandbox sees, so `daytona` is a real user inside.
 * DAYTONA_TRAY_BWRAP_LAYOUT=nested|flat skips the other layout (tests, diagnosis). Under bubblewrap each sandbox
 * gets a cgroup of its own where this system lets the provider make them (cgroups/): a crashed provider's
 * leftovers (same data dir) are removed first. DAYTONA_TRAY_PIDS_LIMIT sets the pids limit (default 4096).
 */
export async function createSandboxRunner(etcDir: string, log: (line: string) => void = () => {}): Promise<SandboxRunner> {
  // Every sandbox's init (bwrap, its waiting command) is this process's child and would hold what it inherited;
  // a command in the sandbox could open those through /proc/<pid>/fd.
  closeInheritedDescriptors(3);
  const tools = probeNamespaceTools();
  if ('reason' in tools) return plainRunner(tools.reason);
  const cgroups = setupCgroups(createHash('sha256').update(dirname(etcDir)).digest('hex').slice(0, 16), pidsLimit());
  if ('host' in cgroups) await sweep(cgroups.host, log);
  await mkdir(etcDir, { recursive: true, mode: 0o755 });
  const passwd = join(etcDir, 'passwd');
  const group = join(etcDir, 'group');
  await writeFile(
    passwd,
    `root:x:0:0:root:/root:/bin/sh\n${SANDBOX_USER}:x:1000:1000:Daytona:${SANDBOX_HOME}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
  );
  await writeFile(group, `root:x:0:\n${SANDBOX_USER}:x:1000:\nnogroup:x:65534:\n`);
  const masked = process.getuid?.() === 0 ? await privateEntries('/etc') : [];
  const forced = LAYOUTS.find((layout) => layout === process.env.DAYTONA_TRAY_BWRAP_LAYOUT);
  const network = await ownNetworkSetup(tools, etcDir);
  for (const layout of forced ? [forced] : LAYOUTS) {
    if (layout === 'nested' && !tools.unshare) continue;
    // A network of its own for each sandbox where it works; else the host's, with the reason said.
    let sharedNetworkReason =
      'reason' in network
        ? network.reason
        : "a sandbox gets a network of its own only with a user namespace of the provider's (unshare), which does not work here";
    if (layout === 'nested' && 'own' in network) {
      const runner = bubblewrapRunner(tools, layout, passwd, group, masked, network, cgroups);
      if (await canRun(runner, etcDir)) return runner;
      sharedNetworkReason = 'slirp4netns could not give a sandbox a network of its own here';
    }
    const runner = bubblewrapRunner(tools, layout, passwd, group, masked, { sharedNetworkReason }, cgroups);
    if (await canRun(runner, etcDir)) return runner;
  }
  if ('host' in cgroups) await cgroups.host.close().catch(() => {});
  return plainRunner('bubblewrap could not start a sandbox here (see the bubblewrap and user-namespace settings of this system)');
}

/**
 * The tools and files for a network namespace per sandbox, or why there is none. DAYTONA_TRAY_NO_NETNS=1
 * turns it off (tests of the shared-network fallback, diagnosis).
 */
async function ownNetworkSetup(tools: NamespaceTools, etcDir: string): Promise<{ own: OwnNetworkSetup } | { reason: string }> {
  if (process.env.DAYTONA_TRAY_NO_NETNS === '1') return { reason: 'a network per sandbox was turned off (DAYTONA_TRAY_NO_NETNS=1)' };
  const slirp4netns = findUtility('slirp4netns');
  const nft = findUtility('nft');
  const ip = findUtility('ip');
  if (!slirp4netns) return { reason: 'slirp4netns is not installed: install the slirp4netns package for a network per sandbox' };
  if (!nft) return { reason: 'nft is not installed: install the nftables package for a network per sandbox' };
  if (!ip) return { reason: 'ip is not installed: install the iproute2 package for a network per sandbox' };
  const resolvConf = join(etcDir, 'resolv.conf');
  await writeFile(resolvConf, 'nameserver 10.0.2.3\n');
  // Unix socket paths are limited to 107 bytes: a deep data folder falls back to a private temp folder.
  let runDir = join(dirname(etcDir), 'run');
  if (runDir.length > 80) runDir = await mkdtemp(join(tmpdir(), 'daytona-tray-run-'));
  await mkdir(runDir, { recursive: true, mode: 0o700 });
  await chmod(runDir, 0o700);
  return {
    own: {
      tools: { nsenter: tools.nsenter, slirp4netns, nft, ip },
      resolvConf,
      relaySocket: () => join(runDir, `${randomBytes(6).toString('hex')}.sock`),
    },
  };
}

/** Whether a sandbox started by `runner` runs a command as the sandbox user (a throwaway one, under `dir`). */
async function canRun(runner: SandboxRunner, dir: string): Promise<boolean> {
  const root = await mkdtemp(join(dir, 'probe-'));
  const dirs = { home: join(root, 'home'), tmp: join(root, 'tmp') };
  let sandbox: RunningSandbox | undefined;
  try {
    await Promise.all([mkdir(dirs.home), mkdir(dirs.tmp)]);
    sandbox = await runner.start({ dirs, hostname: 'probe', network: { blockAll: false } });
    const child = sandbox.spawn(['/bin/sh', '-c', 'test "$(id -u)" = 1000'], { cwd: SANDBOX_HOME, env: {}, stdio: 'ignore' });
    return await new Promise<boolean>((resolve) => {
      child.once('error', () => resolve(false));
      child.once('exit', (code) => resolve(code === 0));
    });
  } catch {
    return false;
  } finally {
    await sandbox?.stop(0);
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Files and folders under `dir` an unprivileged user could not read. They matter when the provider runs
 * as root: the sandbox user is then mapped to root outside and would own (and read) /etc/shadow, SSH host
 * keys, TLS private keys. Masking them shows the sandbox /etc as an ordinary user sees it.
 */
async function privateEntries(dir: string, depth = 0): Promise<{ path: string; dir: boolean }[]> {
  const found: { path: string; dir: boolean }[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (!entry.isFile() && !entry.isDirectory()) continue;
    let mode;
    try {
      mode = (await stat(path)).mode;
    } catch {
      continue;
    }
    const hidden = entry.isDirectory() ? (mode & 0o005) !== 0o005 : (mode & 0o004) === 0;
    if (hidden) found.push({ path, dir: entry.isDirectory() });
    else if (entry.isDirectory() && depth < 6) found.push(...(await privateEntries(path, depth + 1)));
  }
  return found;
}

/** Removes the sandbox cgroups a crashed provider on this data dir left (and kills what still runs in them). */
async function sweep(host: CgroupHost, log: (line: string) => void): Promise<void> {
  try {
    const count = await host.sweep();
    if (count > 0) log(`removed ${count} sandbox cgroup(s) left by an earlier run of the provider`);
  } catch (error) {
    log(`could not remove every sandbox cgroup left by an earlier run: ${String(error)}`);
  }
}

function pidsLimit(): number {
  const asked = Number(process.env.DAYTONA_TRAY_PIDS_LIMIT);
  return Number.isInteger(asked) && asked > 0 ? asked : DEFAULT_PIDS_MAX;
}
