import { existsSync, lstatSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { SANDBOX_HOME } from '../sandbox-record.ts';
import { INIT_READY, startInit } from './bubblewrap-init.ts';
import { PTY_MODULE_IN_SANDBOX, TOOL_PACKAGES, TOOLS_IN_SANDBOX, hostToolDir, ptyPackageMounts } from './tool-packages.ts';
import type { OwnNetworkTools } from './own-network.ts';
import { findUtility, type NamespaceTools } from './probe.ts';
import { AgentChild } from './agent/agent-child.ts';
import { killTree } from './processes.ts';
import type { SandboxLayout, SandboxRunner, SandboxSpec } from './types.ts';
import type { CgroupHost } from './cgroups/index.ts';

// Under Electron (ELECTRON_RUN_AS_NODE) the binary needs its whole folder (resources, shared libraries).
const RUNTIME_DIR = '/opt/daytona-tray/runtime';
export const NODE_IN_SANDBOX = process.versions.electron ? `${RUNTIME_DIR}/${basename(process.execPath)}` : '/opt/daytona-tray/bin/node';
const NODE_BIND = process.versions.electron ? [dirname(process.execPath), RUNTIME_DIR] : [process.execPath, NODE_IN_SANDBOX];

/** The device nodes a 'flat' sandbox's /dev gets (what bwrap --dev binds, without its devpts). */
const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

/** What a runner needs to give each sandbox a network of its own. */
export interface OwnNetworkSetup {
  tools: OwnNetworkTools;
  /** A resolv.conf naming slirp4netns's DNS forwarder. */
  resolvConf: string;
  /** A fresh Unix socket path, in a folder only the provider can enter, for one sandbox's port relay. */
  relaySocket(): string;
}

/**
 * A runner that starts sandboxes under bubblewrap. `own` (only honoured in the 'nested' layout) gives each
 * sandbox its own network; without it sandboxes share the host's, for `sharedNetworkReason`.
 */
export function bubblewrapRunner(
  tools: NamespaceTools,
  layout: SandboxLayout,
  passwd: string,
  group: string,
  masked: { path: string; dir: boolean }[],
  network: { own: OwnNetworkSetup } | { sharedNetworkReason: string },
  cgroups: { host: CgroupHost } | { reason: string },
): SandboxRunner {
  const cgroupHost = 'host' in cgroups ? cgroups.host : undefined;
  const own = layout === 'nested' && 'own' in network ? network.own : undefined;
  const sharedNetworkReason =
    'sharedNetworkReason' in network
      ? network.sharedNetworkReason
      : "sandboxes of this layout (bubblewrap without a user namespace of the provider's own) cannot get a network of their own";
  // DAYTONA_TRAY_NO_AGENT=1: one nsenter per command instead of the resident agent (the benchmark's floor, diagnosis).
  const agentNode = process.env.DAYTONA_TRAY_NO_AGENT === '1' ? undefined : NODE_IN_SANDBOX;
  const hostnameTool = findUtility('hostname');
  // Terminals from inside need the sandbox's own devpts ('nested' mounts one with /dev; 'flat' has none).
  const ptyMounts = layout === 'nested' && agentNode ? ptyPackageMounts() : undefined;
  const systemDirs = ['/usr', '/etc'].filter((dir) => existsSync(dir));
  const masks: string[] = [];
  for (const entry of masked) {
    if (entry.dir) masks.push('--tmpfs', entry.path, '--remount-ro', entry.path);
    else masks.push('--ro-bind', '/dev/null', entry.path);
  }
  const mergedUsr = ['bin', 'lib', 'lib64', 'sbin', 'lib32'];
  const dev =
    layout === 'nested'
      ? ['--dev', '/dev']
      : [
          '--tmpfs',
          '/dev',
          ...DEVICES.filter((name) => existsSync(`/dev/${name}`)).flatMap((name) => ['--dev-bind', `/dev/${name}`, `/dev/${name}`]),
          '--symlink',
          '/proc/self/fd',
          '/dev/fd',
          ...['stdin', 'stdout', 'stderr'].flatMap((name, fd) => ['--symlink', `/proc/self/fd/${fd}`, `/dev/${name}`]),
          '--dir',
          '/dev/shm',
        ];

  const initArgs = (spec: SandboxSpec) => {
    const args = [
      '--info-fd',
      '3',
      '--unshare-user',
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      // A sandbox with a network of its own is already in it (startInit); else block-all is an empty one.
      ...(!own && spec.network.blockAll ? ['--unshare-net'] : []),
      '--die-with-parent',
      '--new-session',
      '--uid',
      '1000',
      '--gid',
      '1000',
      '--hostname',
      spec.hostname,
    ];
    for (const dir of systemDirs) args.push('--ro-bind', dir, dir);
    for (const name of mergedUsr) {
      // Debian/Ubuntu/Fedora merge /bin into /usr/bin; elsewhere bind the real directory read-only.
      const top = `/${name}`;
      if (!existsSync(top)) continue;
      if (existsSync(`/usr/${name}`) && isSymlink(top)) args.push('--symlink', `usr/${name}`, top);
      else args.push('--ro-bind', top, top);
    }
    args.push(
      ...masks,
      '--ro-bind',
      passwd,
      '/etc/passwd',
      // Inside its own network the host's resolver (often on the host's loopback) is out of reach: names go to slirp4netns's.
      ...(own ? ['--ro-bind', own.resolvConf, '/etc/resolv.conf'] : []),
      '--ro-bind',
      group,
      '/etc/group',
      '--proc',
      '/proc',
      ...dev,
      '--tmpfs',
      '/run',
      '--bind',
      spec.dirs.home,
      SANDBOX_HOME,
      '--bind',
      spec.dirs.tmp,
      '/tmp',
      // Volumes, outermost first so a mount inside another lands on top of it.
      ...(spec.dirs.mounts ?? []).flatMap((mount) => ['--bind', mount.hostPath, mount.sandboxPath]),
      '--ro-bind',
      NODE_BIND[0]!,
      NODE_BIND[1]!,
      ...TOOL_PACKAGES.flatMap((name) => {
        const dir = hostToolDir(name);
        return dir ? ['--ro-bind', dir, `${TOOLS_IN_SANDBOX}/${name}`] : [];
      }),
      ...(ptyMounts ?? []).flatMap(([host, inside]) => ['--ro-bind', host, inside]),
      '--chdir',
      '/',
      '--clearenv',
      // Says when the mounts are in place (bwrap reports the pid before that), then waits until the
      // provider closes its stdin, the sandbox's lifeline (startInit), or dies. bwrap's own pid 1 stays above
      // it and reaps orphaned background jobs.
      '--',
      '/bin/sh',
      '-c',
      `echo ${INIT_READY} && exec cat >/dev/null`,
    );
    return args;
  };

  const start = (spec: SandboxSpec, waitForAgent = false) => {
    // Made before the init starts, so that the init and everything below it are born inside (startInit removes it).
    const cgroup = cgroupHost?.create();
    try {
      if (spec.limits) cgroup?.setLimits(spec.limits);
    } catch (error) {
      void cgroup?.remove();
      throw error;
    }
    return startInit(
      tools,
      layout,
      initArgs(spec),
      { policy: spec.network, own: own ? { tools: own.tools, relaySocket: own.relaySocket() } : undefined },
      {
        agentNode,
        ptyModule: ptyMounts ? PTY_MODULE_IN_SANDBOX : undefined,
        log: spec.log,
        hostnameTool,
        waitForAgent,
        hostname: spec.hostname,
        env: spec.env,
        cgroup,
      },
    );
  };
  return {
    isolation: 'bubblewrap',
    nodePath: NODE_IN_SANDBOX,
    toolPath: (name) => (hostToolDir(name) ? `${TOOLS_IN_SANDBOX}/${name}` : undefined),
    network: own ? 'own' : 'shared',
    ...(own ? {} : { sharedNetworkReason }),
    limits: cgroupHost
      ? { enforced: true, how: cgroupHost.description }
      : { enforced: false, reason: (cgroups as { reason: string }).reason },
    close: async () => cgroupHost?.close(),
    start: (spec) => start(spec),
    // Renaming a started sandbox needs the 'nested' layout (its UTS namespace within the provider's reach),
    // hostname(1), and the agent to hold its first commands back until then.
    ...(layout === 'nested' && agentNode && hostnameTool ? { prestart: (spec: SandboxSpec) => start(spec, true) } : {}),
    // A command the agent runs has no host process of its own: the agent signals its tree inside.
    kill: (child, signal) => (child instanceof AgentChild ? child.killTree(signal) : killTree(child, signal)),
    visiblePath: (sandboxPath) => sandboxPath,
  };
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
