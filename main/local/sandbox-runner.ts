import { spawn, spawnSync, type ChildProcess, type IOType, type StdioOptions } from 'node:child_process';
import type { Readable, Stream } from 'node:stream';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SANDBOX_HOME, SANDBOX_USER } from './sandbox-record.ts';

/** Where a sandbox's writable directories live on the host. */
export interface SandboxDirs {
  /** Host directory seen as /home/daytona inside the sandbox. */
  home: string;
  /** Host directory seen as /tmp inside the sandbox. */
  tmp: string;
}

export interface RunSpec {
  dirs: SandboxDirs;
  hostname: string;
  networkBlockAll: boolean;
  /** Working directory as the sandbox sees it (absolute, e.g. /home/daytona/app). */
  cwd: string;
  env: Record<string, string>;
  stdio?: StdioOptions;
}

/** Starts commands inside a sandbox and kills their whole process tree. */
export interface SandboxRunner {
  /** 'bubblewrap' when commands run in their own namespaces; 'none' when they run as plain host processes. */
  readonly isolation: 'bubblewrap' | 'none';
  /** Absolute path of a Node.js binary usable inside the sandbox. */
  readonly nodePath: string;
  spawn(argv: string[], spec: RunSpec): ChildProcess;
  /**
   * Kills the process and everything it started. Also valid just after the process itself exited
   * (its descendants may not have): call it then only with children you saw alive a moment ago.
   */
  kill(child: ChildProcess, signal?: NodeJS.Signals): void;
  /**
   * Resolves once the process has exited and nothing it started is left running (waits at most a couple
   * of seconds after the exit). Use after kill() before calling a sandbox stopped.
   */
  settled(child: ChildProcess): Promise<void>;
  /** Maps a sandbox path to the host path the sandbox's commands see it at (identity under bubblewrap). */
  visiblePath(sandboxPath: string, dirs: SandboxDirs): string;
}

const SANDBOX_PATH = '/opt/daytona-tray/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
// Under Electron (ELECTRON_RUN_AS_NODE) the binary needs its whole folder (resources, shared libraries).
const RUNTIME_DIR = '/opt/daytona-tray/runtime';
const NODE_IN_SANDBOX = process.versions.electron ? `${RUNTIME_DIR}/${basename(process.execPath)}` : '/opt/daytona-tray/bin/node';
const NODE_BIND = process.versions.electron ? [dirname(process.execPath), RUNTIME_DIR] : [process.execPath, NODE_IN_SANDBOX];

export function findBubblewrap(): string | undefined {
  if (process.platform !== 'linux' || process.env.DAYTONA_TRAY_NO_BWRAP === '1') return undefined;
  for (const candidate of ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap']) {
    if (existsSync(candidate)) {
      // A bwrap that cannot create namespaces (e.g. user namespaces disabled) is as good as none.
      const probe = spawnSync(candidate, ['--unshare-user', '--ro-bind', '/', '/', 'true'], { stdio: 'ignore', timeout: 5000 });
      return probe.status === 0 ? candidate : undefined;
    }
  }
  return undefined;
}

/**
 * Picks bubblewrap when it works here, else plain processes (flagged "not isolated" by the provider).
 * `etcDir` receives the passwd/group files the sandbox sees, so `daytona` is a real user inside.
 */
export async function createSandboxRunner(etcDir: string): Promise<SandboxRunner> {
  const bwrap = findBubblewrap();
  if (!bwrap) return plainRunner();
  await mkdir(etcDir, { recursive: true, mode: 0o755 });
  const passwd = join(etcDir, 'passwd');
  const group = join(etcDir, 'group');
  await writeFile(passwd, `root:x:0:0:root:/root:/bin/sh\n${SANDBOX_USER}:x:1000:1000:Daytona:${SANDBOX_HOME}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`);
  await writeFile(group, `root:x:0:\n${SANDBOX_USER}:x:1000:\nnogroup:x:65534:\n`);
  return bubblewrapRunner(bwrap, passwd, group, process.getuid?.() === 0 ? await privateEntries('/etc') : []);
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
    else if (entry.isDirectory() && depth < 6) found.push(...await privateEntries(path, depth + 1));
  }
  return found;
}

function bubblewrapRunner(bwrap: string, passwd: string, group: string, masked: { path: string; dir: boolean }[]): SandboxRunner {
  const namespaceInit = new WeakMap<ChildProcess, { pid: number; start: string | undefined }>();
  const systemDirs = ['/usr', '/etc'].filter((dir) => existsSync(dir));
  const masks: string[] = [];
  for (const entry of masked) {
    if (entry.dir) masks.push('--tmpfs', entry.path, '--remount-ro', entry.path);
    else masks.push('--ro-bind', '/dev/null', entry.path);
  }
  const mergedUsr = ['bin', 'lib', 'lib64', 'sbin', 'lib32'];
  return {
    isolation: 'bubblewrap',
    nodePath: NODE_IN_SANDBOX,
    spawn(argv, spec) {
      const args = [
        '--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts',
        ...(spec.networkBlockAll ? ['--unshare-net'] : []),
        '--die-with-parent', '--new-session',
        '--uid', '1000', '--gid', '1000', '--hostname', spec.hostname,
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
        '--ro-bind', passwd, '/etc/passwd',
        '--ro-bind', group, '/etc/group',
        '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/run',
        '--bind', spec.dirs.home, SANDBOX_HOME,
        '--bind', spec.dirs.tmp, '/tmp',
        '--ro-bind', NODE_BIND[0]!, NODE_BIND[1]!,
        '--chdir', spec.cwd,
        '--clearenv',
      );
      for (const [key, value] of Object.entries(sandboxEnv(spec.env, SANDBOX_HOME))) args.push('--setenv', key, value);
      args.push('--', ...argv);
      // fd 3 receives bwrap's --info-fd JSON: the host pid of the sandbox's pid 1, which outlives the
      // outer bwrap by a moment while the kernel tears the pid namespace down.
      const child = spawn(bwrap, ['--info-fd', '3', ...args], { stdio: [...stdioArray(spec.stdio), 'pipe'] });
      const info = child.stdio[3] as Readable | null;
      let text = '';
      info?.setEncoding('utf8');
      info?.on('data', (chunk: string) => { text += chunk; });
      info?.on('error', () => {});
      info?.once('end', () => {
        const pid = Number(/"child-pid"\s*:\s*(\d+)/.exec(text)?.[1]);
        if (pid > 0) namespaceInit.set(child, { pid, start: procStat(pid)?.start });
      });
      return child;
    },
    kill(child, signal = 'SIGKILL') {
      // bwrap's child has PR_SET_PDEATHSIG and is pid 1 of its own pid namespace: when the outer bwrap
      // dies, the kernel kills every process in the sandbox's namespace.
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async settled(child) {
      await exitOf(child);
      const init = namespaceInit.get(child);
      if (!init) return;
      // The pid namespace is empty once its init is a zombie (or gone, or the pid is someone else's).
      await until(() => {
        const stat = procStat(init.pid);
        return stat === undefined || stat.state === 'Z' || stat.start !== init.start;
      });
    },
    visiblePath: (sandboxPath) => sandboxPath,
  };
}

/** How long after its leader exited a process group may still be killed (later its id may be reused). */
const GROUP_KILL_WINDOW_MS = 10_000;

function plainRunner(): SandboxRunner {
  const exitedAt = new WeakMap<ChildProcess, number>();
  return {
    isolation: 'none',
    nodePath: process.execPath,
    spawn(argv, spec) {
      const [command, ...rest] = argv;
      if (!command) throw new Error('empty command');
      const child = spawn(command, rest, {
        cwd: toHostPath(spec.cwd, spec.dirs),
        env: { ...sandboxEnv(spec.env, spec.dirs.home), ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
        stdio: spec.stdio ?? ['ignore', 'pipe', 'pipe'],
        // Own process group, so kill() can take the whole tree down.
        detached: process.platform !== 'win32',
      });
      child.once('exit', () => exitedAt.set(child, Date.now()));
      return child;
    },
    kill(child, signal = 'SIGKILL') {
      if (child.pid === undefined) return;
      const exited = child.exitCode !== null || child.signalCode !== null;
      if (exited && Date.now() - (exitedAt.get(child) ?? 0) > GROUP_KILL_WINDOW_MS) return;
      if (process.platform === 'win32') {
        if (!exited) spawnSync('taskkill', ['/pid', String(child.pid), '/t', '/f'], { stdio: 'ignore', timeout: 10_000 });
        return;
      }
      // The whole group, even once its leader has exited: members that ignored SIGTERM live on in it.
      try {
        process.kill(-child.pid, signal);
      } catch {
        if (!exited) child.kill(signal);
      }
    },
    async settled(child) {
      await exitOf(child);
      if (child.pid === undefined || process.platform === 'win32') return;
      const group = child.pid;
      if (Date.now() - (exitedAt.get(child) ?? 0) > GROUP_KILL_WINDOW_MS) return;
      await until(() => !groupAlive(group));
    },
    visiblePath: (sandboxPath, dirs) => toHostPath(sandboxPath, dirs),
  };
}

const SETTLE_LIMIT_MS = 3000;

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

/** Polls `done` every few ms, for at most SETTLE_LIMIT_MS. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

function stdioArray(stdio: StdioOptions | undefined): (IOType | 'ipc' | Stream | number | null | undefined)[] {
  if (stdio === undefined) return ['ignore', 'pipe', 'pipe'];
  if (typeof stdio === 'string') return [stdio, stdio, stdio];
  return [...stdio].slice(0, 3);
}

/** State, process group and start time from /proc/<pid>/stat (Linux); undefined when there is no such process. */
function procStat(pid: number): { state: string; group: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): state, ppid, pgrp, ..., start time (20th).
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return { state: fields[0] ?? '', group: fields[2] ?? '', start: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

/** Whether any live (non-zombie) process is left in the process group. */
function groupAlive(group: number): boolean {
  if (process.platform === 'linux') {
    // kill(-group, 0) also counts zombies, which only the host's init reaps (possibly much later).
    try {
      return readdirSync('/proc').some((name) => {
        if (!/^\d+$/.test(name)) return false;
        const stat = procStat(Number(name));
        return stat !== undefined && stat.group === String(group) && stat.state !== 'Z' && stat.state !== 'X';
      });
    } catch {
      // no /proc: fall back to kill(0)
    }
  }
  try {
    process.kill(-group, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function toHostPath(sandboxPath: string, dirs: SandboxDirs): string {
  if (sandboxPath === SANDBOX_HOME || sandboxPath.startsWith(`${SANDBOX_HOME}/`)) return dirs.home + sandboxPath.slice(SANDBOX_HOME.length);
  if (sandboxPath === '/tmp' || sandboxPath.startsWith('/tmp/')) return dirs.tmp + sandboxPath.slice('/tmp'.length);
  return sandboxPath;
}

function sandboxEnv(extra: Record<string, string>, home: string): Record<string, string> {
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

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
