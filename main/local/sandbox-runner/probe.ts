import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface NamespaceTools {
  bwrap: string;
  /** util-linux nsenter, which joins a running sandbox's namespaces. */
  nsenter: string;
  /** util-linux unshare, which gives each sandbox a user namespace of its own to start bwrap in ('nested'). */
  unshare: string | undefined;
  /** Whether nsenter has --wdns (util-linux >= 2.38): a working directory resolved inside the sandbox. */
  wdns: boolean;
}

/** bubblewrap and nsenter, when both work here (Linux, user namespaces allowed); else undefined. */
export function findNamespaceTools(): NamespaceTools | undefined {
  const found = probeNamespaceTools();
  return 'reason' in found ? undefined : found;
}

/** The namespace tools, or why sandboxes cannot be isolated here. */
export function probeNamespaceTools(): NamespaceTools | { reason: string } {
  if (process.env.DAYTONA_TRAY_NO_BWRAP === '1') return { reason: 'isolation was turned off (DAYTONA_TRAY_NO_BWRAP=1)' };
  if (process.platform !== 'linux') return { reason: `sandbox isolation needs Linux namespaces, which ${process.platform} does not have` };
  const utility = findUtility;
  const bwrap = utility('bwrap');
  const nsenter = utility('nsenter');
  if (!bwrap) return { reason: 'bubblewrap (bwrap) is not installed: install the bubblewrap package' };
  if (!nsenter) return { reason: 'nsenter is not installed: install util-linux' };
  // A bwrap that cannot create namespaces (e.g. user namespaces disabled) is as good as none.
  const probe = spawnSync(bwrap, ['--unshare-user', '--ro-bind', '/', '/', 'true'], { stdio: 'ignore', timeout: 5000 });
  if (probe.status !== 0) return { reason: 'bubblewrap cannot create namespaces here (user namespaces may be disabled)' };
  const help = spawnSync(nsenter, ['--help'], { encoding: 'utf8', timeout: 5000 });
  return { bwrap, nsenter, unshare: utility('unshare'), wdns: `${help.stdout ?? ''}`.includes('--wdns') };
}

/** The bubblewrap binary when sandboxes can be isolated here (bwrap works and nsenter exists); else undefined. */
export function findBubblewrap(): string | undefined {
  return findNamespaceTools()?.bwrap;
}

/** The path of a system utility in the usual places (not PATH: a provider's PATH may be anything). */
export function findUtility(name: string): string | undefined {
  return [`/usr/bin/${name}`, `/usr/local/bin/${name}`, `/bin/${name}`, `/usr/sbin/${name}`, `/sbin/${name}`].find((candidate) =>
    existsSync(candidate),
  );
}
