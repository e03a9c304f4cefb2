import { SANDBOX_HOME, SANDBOX_USER } from '../sandbox-record.ts';
import type { SandboxDirs } from './types.ts';

const SANDBOX_PATH = '/opt/daytona-tray/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function toHostPath(sandboxPath: string, dirs: SandboxDirs): string {
  // The innermost mount that holds the path wins (mounts are outermost first).
  const mount = dirs.mounts?.findLast((m) => sandboxPath === m.sandboxPath || sandboxPath.startsWith(`${m.sandboxPath}/`));
  if (mount) return mount.hostPath + sandboxPath.slice(mount.sandboxPath.length);
  if (sandboxPath === SANDBOX_HOME || sandboxPath.startsWith(`${SANDBOX_HOME}/`)) return dirs.home + sandboxPath.slice(SANDBOX_HOME.length);
  if (sandboxPath === '/tmp' || sandboxPath.startsWith('/tmp/')) return dirs.tmp + sandboxPath.slice('/tmp'.length);
  return sandboxPath;
}

export function sandboxEnv(extra: Record<string, string>, home: string): Record<string, string> {
  return {
    PATH: SANDBOX_PATH,
    HOME: home,
    USER: SANDBOX_USER,
    LOGNAME: SANDBOX_USER,
    SHELL: '/bin/bash',
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    ...extra,
  };
}
