import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, existsSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { SANDBOX_HOME, SANDBOX_USER } from './sandbox-record.ts';

/** Where a sandbox's writable directories live on the host. */
export interface SandboxDirs {
  /** Host directory seen as /home/daytona inside the sandbox. */
  home: string;
  /** Host directory seen as /tmp inside the sandbox. */
  tmp: string;
}

/** What a sandbox is started with; fixed until it stops. */
export interface SandboxSpec {
  dirs: SandboxDirs;
  hostname: string;
  networkBlockAll: boolean;
}

export interface CommandSpec {
  /** Working directory as the sandbox sees it (absolute, e.g. /home/daytona/app). */
  cwd: string;
  /** Sandbox and command variables; they reach the command through its environment, never its argv. */
  env: Record<string, string>;
  stdio?: StdioOptions;
}

/**
 * A started sandbox. Under bubblewrap it is one long-lived set of namespaces (its "init") that every
 * command joins, so a background job outlives the command that started it, as in a Daytona container,
 * until the sandbox stops.
 */
export interface RunningSandbox {
  /** False once the sandbox's init has exited: stopped, or died on its own (OOM killer, kill by hand). */
  readonly alive: boolean;
  /** Resolves when the init exits, for whatever reason. */
  readonly ended: Promise<void>;
  /** Starts a command in the sandbox, in its own process group on the host. Throws once not alive. */
  spawn(argv: string[], spec: CommandSpec): ChildProcess;
  /**
   * Ends everything the sandbox runs: SIGTERM first and up to `graceMs` to exit (0: SIGKILL at once),
   * then SIGKILL. Resolves once nothing it started is left (bounded by a few seconds).
   */
  stop(graceMs: number): Promise<void>;
}

/** Starts sandboxes and kills commands' process trees. */
export interface SandboxRunner {
  /** 'bubblewrap' when commands run in their own namespaces; 'none' when they run as plain host processes. */
  readonly isolation: 'bubblewrap' | 'none';
  /** Why sandboxes are not isolated here (only when isolation is 'none'), worded for the user. */
  readonly unisolatedReason?: string;
  /** Absolute path of a Node.js binary usable inside the sandbox. */
  readonly nodePath: string;
  /** Starts a sandbox; resolves once commands can run in it. */
  start(spec: SandboxSpec): Promise<RunningSandbox>;
  /**
   * Kills a running command and everything it started (its process group, and descendants that left
   * it). A no-op once the command exited: what it left running in the background belongs to the sandbox.
   */
  kill(child: ChildProcess, signal?: NodeJS.Signals): void;
  /** Maps a sandbox path to the host path the sandbox's commands see it at (identity under bubblewrap). */
  visiblePath(sandboxPath: string, dirs: SandboxDirs): string;
}

const SANDBOX_PATH = '/opt/daytona-tray/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
// Under Electron (ELECTRON_RUN_AS_NODE) the binary needs its whole folder (resources, shared libraries).
const RUNTIME_DIR = '/opt/daytona-tray/runtime';
const NODE_IN_SANDBOX = process.versions.electron ? `${RUNTIME_DIR}/${basename(process.execPath)}` : '/opt/daytona-tray/bin/node';
const NODE_BIND = process.versions.electron ? [dirname(process.execPath), RUNTIME_DIR] : [process.execPath, NODE_IN_SANDBOX];
/** How long a sandbox's init may take to come up before its start counts as failed. */
const INIT_TIMEOUT_MS = 15_000;
const INIT_READY = 'daytona-tray-init-ready';

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
function probeNamespaceTools(): NamespaceTools | { reason: string } {
  if (process.env.DAYTONA_TRAY_NO_BWRAP === '1') return { reason: 'isolation was turned off (DAYTONA_TRAY_NO_BWRAP=1)' };
  if (process.platform !== 'linux') return { reason: `sandbox isolation needs Linux namespaces, which ${process.platform} does not have` };
  const utility = (name: string) => [`/usr/bin/${name}`, `/usr/local/bin/${name}`, `/bin/${name}`, `/usr/sbin/${name}`, `/sbin/${name}`].find((candidate) => existsSync(candidate));
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

/**
 * How a sandbox's namespaces are laid out, so that commands can join them (see startInit):
 * - 'nested': bwrap starts inside a user namespace of our own; the sandbox gets a devpts (/dev/pts).
 * - 'flat': bwrap alone, with a /dev of device nodes but no devpts (ptys cannot be opened inside). For
 *   systems where unshare may make a user namespace but not use it (Ubuntu's AppArmor restriction).
 */
export type SandboxLayout = 'nested' | 'flat';
const LAYOUTS: readonly SandboxLayout[] = ['nested', 'flat'];

/**
 * Picks bubblewrap when it works here, else plain processes (flagged "not isolated" by the provider).
 * `etcDir` receives the passwd/group files the sandbox sees, so `daytona` is a real user inside.
 * DAYTONA_TRAY_BWRAP_LAYOUT=nested|flat skips the other layout (tests, diagnosis).
 */
export async function createSandboxRunner(etcDir: string): Promise<SandboxRunner> {
  const tools = probeNamespaceTools();
  if ('reason' in tools) return plainRunner(tools.reason);
  await mkdir(etcDir, { recursive: true, mode: 0o755 });
  const passwd = join(etcDir, 'passwd');
  const group = join(etcDir, 'group');
  await writeFile(passwd, `root:x:0:0:root:/root:/bin/sh\n${SANDBOX_USER}:x:1000:1000:Daytona:${SANDBOX_HOME}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`);
  await writeFile(group, `root:x:0:\n${SANDBOX_USER}:x:1000:\nnogroup:x:65534:\n`);
  const masked = process.getuid?.() === 0 ? await privateEntries('/etc') : [];
  const forced = LAYOUTS.find((layout) => layout === process.env.DAYTONA_TRAY_BWRAP_LAYOUT);
  for (const layout of forced ? [forced] : LAYOUTS) {
    if (layout === 'nested' && !tools.unshare) continue;
    const runner = bubblewrapRunner(tools, layout, passwd, group, masked);
    if (await canRun(runner, etcDir)) return runner;
  }
  return plainRunner('bubblewrap could not start a sandbox here (see the bubblewrap and user-namespace settings of this system)');
}

/** Whether a sandbox started by `runner` runs a command as the sandbox user (a throwaway one, under `dir`). */
async function canRun(runner: SandboxRunner, dir: string): Promise<boolean> {
  const root = await mkdtemp(join(dir, 'probe-'));
  const dirs = { home: join(root, 'home'), tmp: join(root, 'tmp') };
  let sandbox: RunningSandbox | undefined;
  try {
    await Promise.all([mkdir(dirs.home), mkdir(dirs.tmp)]);
    sandbox = await runner.start({ dirs, hostname: 'probe', networkBlockAll: false });
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
    else if (entry.isDirectory() && depth < 6) found.push(...await privateEntries(path, depth + 1));
  }
  return found;
}

/** The device nodes a 'flat' sandbox's /dev gets (what bwrap --dev binds, without its devpts). */
const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];
/** The namespaces a 'flat' sandbox's command joins, in nsenter's option names and /proc/<pid>/ns/ file names. */
const NAMESPACES = [['user', 'user'], ['mount', 'mnt'], ['pid', 'pid'], ['ipc', 'ipc'], ['uts', 'uts']] as const;

function bubblewrapRunner(tools: NamespaceTools, layout: SandboxLayout, passwd: string, group: string, masked: { path: string; dir: boolean }[]): SandboxRunner {
  const systemDirs = ['/usr', '/etc'].filter((dir) => existsSync(dir));
  const masks: string[] = [];
  for (const entry of masked) {
    if (entry.dir) masks.push('--tmpfs', entry.path, '--remount-ro', entry.path);
    else masks.push('--ro-bind', '/dev/null', entry.path);
  }
  const mergedUsr = ['bin', 'lib', 'lib64', 'sbin', 'lib32'];
  const dev = layout === 'nested'
    ? ['--dev', '/dev']
    : [
      '--tmpfs', '/dev',
      ...DEVICES.filter((name) => existsSync(`/dev/${name}`)).flatMap((name) => ['--dev-bind', `/dev/${name}`, `/dev/${name}`]),
      '--symlink', '/proc/self/fd', '/dev/fd',
      ...['stdin', 'stdout', 'stderr'].flatMap((name, fd) => ['--symlink', `/proc/self/fd/${fd}`, `/dev/${name}`]),
      '--dir', '/dev/shm',
    ];

  const initArgs = (spec: SandboxSpec) => {
    const args = [
      '--info-fd', '3',
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
      '--proc', '/proc', ...dev, '--tmpfs', '/run',
      '--bind', spec.dirs.home, SANDBOX_HOME,
      '--bind', spec.dirs.tmp, '/tmp',
      '--ro-bind', NODE_BIND[0]!, NODE_BIND[1]!,
      '--chdir', '/',
      '--clearenv',
      // Says when the mounts are in place (bwrap reports the pid before that), then waits until the
      // sandbox stops. bwrap's own pid 1 stays above it and reaps orphaned background jobs.
      '--', '/bin/sh', '-c', `echo ${INIT_READY} && exec sleep infinity`,
    );
    return args;
  };

  return {
    isolation: 'bubblewrap',
    nodePath: NODE_IN_SANDBOX,
    start: (spec) => startInit(tools, layout, initArgs(spec), spec.networkBlockAll),
    kill: killTree,
    visiblePath: (sandboxPath) => sandboxPath,
  };
}

/** Host pid and start time of a sandbox's pid 1, and its pid namespace. */
interface InitProcess {
  pid: number;
  start: string;
  pidNamespace: string;
}

/**
 * Starts the sandbox's init: bwrap with the sandbox's namespaces and mounts, running a command that only
 * waits (bwrap's own pid 1 stays above it and reaps orphaned background jobs). Commands join it with
 * nsenter, never by a bare pid from the host: a recycled pid could point at anything.
 *
 * 'nested': bwrap runs in a user namespace of its own ("outer", made by unshare; the provider's user is
 * root there). bwrap then nests the sandbox user's namespace inside the one that owns the mount, pid,
 * ipc and uts namespaces (it needs root mapped to mount devpts), and only from a namespace above both
 * may a process without host privileges join them. So a command takes two hops:
 *  1. nsenter into the outer namespace, through its file held open by the provider (a path under
 *     /proc/<provider>/fd/);
 *  2. from there, nsenter --target <sandbox pid 1>. From the outer namespace only processes in namespaces
 *     below it can be inspected (the kernel's ptrace check), i.e. only this sandbox's: were pid 1 gone and
 *     its pid reused by any other process, joining would fail instead of going anywhere else.
 * 'flat': one user namespace owns everything; one nsenter joins the namespace files the provider holds.
 * Root on the host takes the same paths.
 */
async function startInit(tools: NamespaceTools, layout: SandboxLayout, args: string[], networkBlockAll: boolean): Promise<RunningSandbox> {
  const init = layout === 'nested'
    ? spawn(tools.unshare!, ['--user', '--map-root-user', '--', tools.bwrap, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: {} })
    : spawn(tools.bwrap, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: {} });
  let alive = true;
  const ended = new Promise<void>((resolve) => {
    init.once('exit', () => { alive = false; resolve(); });
    init.once('error', () => { alive = false; resolve(); });
  });
  let stderr = '';
  init.stderr?.setEncoding('utf8');
  init.stderr?.on('data', (chunk: string) => { if (stderr.length < 4000) stderr += chunk; });
  const info = init.stdio[3] as Readable | null;
  let infoText = '';
  info?.setEncoding('utf8');
  info?.on('data', (chunk: string) => { infoText += chunk; });
  info?.on('error', () => {});
  let readyText = '';
  init.stdout?.setEncoding('utf8');

  let initProcess: InitProcess;
  /** Namespace files held open: 'nested' the outer user namespace; 'flat' NAMESPACES (+ net), then the root. */
  const held: number[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the sandbox did not come up within ${INIT_TIMEOUT_MS / 1000} s`)), INIT_TIMEOUT_MS);
      const check = () => {
        if (!readyText.includes(INIT_READY) || !/\}/.test(infoText)) return;
        clearTimeout(timer);
        resolve();
      };
      init.stdout?.on('data', (chunk: string) => { if (readyText.length < 1000) readyText += chunk; check(); });
      info?.on('data', check);
      init.once('error', (error) => { clearTimeout(timer); reject(error); });
      init.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`bubblewrap exited with ${code ?? signal}: ${stderr.trim().slice(0, 500) || 'no output'}`));
      });
    });
    const pid = Number(/"child-pid"\s*:\s*(\d+)/.exec(infoText)?.[1]);
    const pidNamespace = /"pid-namespace"\s*:\s*(\d+)/.exec(infoText)?.[1];
    const before = procStat(pid);
    if (!(pid > 0) || !pidNamespace || !before) throw new Error(`bubblewrap reported no usable init process (${infoText.trim().slice(0, 200) || 'nothing'})`);
    if (layout === 'nested') {
      // The outer bwrap is our own child: its pid is not reused before we have seen it exit.
      if (!alive) throw new Error('the sandbox init exited while it was starting');
      held.push(openSync(`/proc/${init.pid}/ns/user`, 'r'));
    } else {
      for (const [, file] of NAMESPACES) held.push(openSync(`/proc/${pid}/ns/${file}`, 'r'));
      if (networkBlockAll) held.push(openSync(`/proc/${pid}/ns/net`, 'r'));
      held.push(openSync(`/proc/${pid}/root`, 'r'));
    }
    // Everything opened was the init's: the same process before and after (start time), its pid namespace.
    if (readlinkSync(`/proc/${pid}/ns/pid`) !== `pid:[${pidNamespace}]` || procStat(pid)?.start !== before.start) {
      throw new Error('the sandbox init exited while it was starting');
    }
    initProcess = { pid, start: before.start, pidNamespace: `pid:[${pidNamespace}]` };
  } catch (error) {
    for (const fd of held) closeSync(fd);
    init.kill('SIGKILL');
    await ended;
    throw error;
  }
  // Nothing more is read from the init's pipes; drained so a write there can never block it.
  init.stdout?.resume();
  init.stderr?.removeAllListeners('data');
  init.stderr?.resume();
  info?.resume();

  const fdPath = (fd: number) => `/proc/${process.pid}/fd/${fd}`;
  const joinArgs = layout === 'nested'
    ? [
      `--user=${fdPath(held[0]!)}`, '--preserve-credentials', '--',
      tools.nsenter, '--target', String(initProcess.pid), '--user', '--mount', '--pid', '--ipc', '--uts',
      ...(networkBlockAll ? ['--net'] : []),
      '--preserve-credentials', '--root',
    ]
    : [
      ...NAMESPACES.map(([option], index) => `--${option}=${fdPath(held[index]!)}`),
      ...(networkBlockAll ? [`--net=${fdPath(held[NAMESPACES.length]!)}`] : []),
      '--preserve-credentials', `--root=${fdPath(held.at(-1)!)}`,
    ];
  // The held files keep namespaces alive: let go once the init is gone and every nsenter started has
  // exited. Not before: a closed fd's number is reused by the next file opened, and an nsenter still
  // starting up would open that one (another sandbox's namespace, maybe).
  let closing = false;
  let released = false;
  let starting = 0;
  const release = () => {
    if (released || !closing || starting > 0) return;
    released = true;
    for (const fd of held) closeSync(fd);
  };
  void ended.then(() => { closing = true; release(); });

  // Read from /proc, not only from the exit event: that one arrives a moment after the kernel knows.
  const running = () => {
    if (!alive || released) return false;
    const stat = procStat(initProcess.pid);
    return stat !== undefined && stat.start === initProcess.start && stat.state !== 'Z' && stat.state !== 'X';
  };
  let stopping: Promise<void> | undefined;
  return {
    get alive() {
      return running();
    },
    ended,
    spawn(argv, spec) {
      if (!running()) throw new Error('the sandbox is not running');
      const command = tools.wdns
        ? [`--wdns=${spec.cwd}`, '--', ...argv]
        // Older nsenter resolves --wd on the host: change directory inside instead.
        : ['--', '/bin/sh', '-c', 'cd -- "$1" || exit 1; shift; exec "$@"', 'sh', spec.cwd, ...argv];
      const child = spawn(tools.nsenter, [...joinArgs, ...command], {
        env: sandboxEnv(spec.env, SANDBOX_HOME),
        stdio: spec.stdio ?? ['ignore', 'pipe', 'pipe'],
        // Own process group: killTree takes the command's tree down without touching the rest of the sandbox.
        detached: true,
      });
      starting++;
      let counted = true;
      const done = () => {
        if (!counted) return;
        counted = false;
        starting--;
        release();
      };
      child.once('exit', done);
      child.once('error', done);
      return child;
    },
    stop(graceMs) {
      stopping ??= (async () => {
        if (graceMs > 0 && alive) {
          // SIGTERM to everything inside but bwrap's pid 1 and the waiting command (pid 2): they must
          // outlive the grace period, or the kernel would SIGKILL the rest at once.
          const members = namespaceMembers(initProcess).filter((member) => member.nsPid > 2);
          for (const member of members) signal(member.pid, 'SIGTERM');
          await until(() => members.every((member) => procStat(member.pid)?.start !== member.start), graceMs);
        }
        // bwrap's pid 1 dies with the outer bwrap (PR_SET_PDEATHSIG), and the kernel kills every process
        // in the pid namespace when its pid 1 dies.
        if (init.exitCode === null && init.signalCode === null) init.kill('SIGKILL');
        await ended;
        // The pid namespace is empty once its pid 1 is a zombie (or gone, or the pid is someone else's).
        await until(() => {
          const stat = procStat(initProcess.pid);
          return stat === undefined || stat.state === 'Z' || stat.start !== initProcess.start;
        });
      })();
      return stopping;
    },
  };
}

/** Processes in the init's pid namespace (host pids), with their pid inside it. */
function namespaceMembers(init: InitProcess): { pid: number; nsPid: number; start: string }[] {
  const members: { pid: number; nsPid: number; start: string }[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/pid`) !== init.pidNamespace) continue;
      const nsPid = Number(/^NSpid:.*?(\d+)\s*$/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1]);
      const start = procStat(Number(name))?.start;
      if (nsPid > 0 && start !== undefined) members.push({ pid: Number(name), nsPid, start });
    } catch {
      // gone meanwhile, or not ours to look at
    }
  }
  return members;
}

/** How long after its leader exited a process group may still be killed where /proc cannot tell (later its id may be reused). */
const GROUP_KILL_WINDOW_MS = 10_000;

/** A command's process group, remembered so stop can end its background jobs. */
interface CommandGroup {
  leader: ChildProcess;
  /** The leader's start time (Linux), to tell our group from a later one that reuses its id. */
  start: string | undefined;
  exitedAt?: number;
}

function plainRunner(reason: string): SandboxRunner {
  return {
    isolation: 'none',
    unisolatedReason: reason,
    nodePath: process.execPath,
    async start(spec) {
      let alive = true;
      let stopped!: () => void;
      const ended = new Promise<void>((resolve) => { stopped = resolve; });
      const groups = new Map<number, CommandGroup>();
      let stopping: Promise<void> | undefined;
      return {
        get alive() {
          return alive;
        },
        ended,
        spawn(argv, command) {
          if (!alive) throw new Error('the sandbox is not running');
          const [program, ...rest] = argv;
          if (!program) throw new Error('empty command');
          const child = spawn(program, rest, {
            cwd: toHostPath(command.cwd, spec.dirs),
            env: { ...sandboxEnv(command.env, spec.dirs.home), ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
            stdio: command.stdio ?? ['ignore', 'pipe', 'pipe'],
            // Own process group: its background jobs stay in it, so stop can end them too.
            detached: process.platform !== 'win32',
          });
          if (child.pid !== undefined) {
            const group: CommandGroup = { leader: child, start: procStat(child.pid)?.start };
            groups.set(child.pid, group);
            child.once('exit', () => { group.exitedAt = Date.now(); });
            if (groups.size > 256) pruneGroups(groups);
          }
          return child;
        },
        stop(graceMs) {
          stopping ??= (async () => {
            alive = false;
            if (graceMs > 0) {
              for (const id of liveGroups(groups)) signalGroup(id, groups.get(id)!, 'SIGTERM');
              await until(() => liveGroups(groups).length === 0, graceMs);
            }
            // Always SIGKILL after: a leader that exited on SIGTERM may leave members that ignored it.
            for (const id of liveGroups(groups)) signalGroup(id, groups.get(id)!, 'SIGKILL');
            await until(() => liveGroups(groups).length === 0);
            groups.clear();
            stopped();
          })();
          return stopping;
        },
      };
    },
    kill: killTree,
    visiblePath: (sandboxPath, dirs) => toHostPath(sandboxPath, dirs),
  };
}

/** Forgets groups with nobody left in them. */
function pruneGroups(groups: Map<number, CommandGroup>): void {
  const live = new Set(liveGroups(groups));
  for (const id of groups.keys()) if (!live.has(id)) groups.delete(id);
}

/** The remembered groups that still have a live member and are still ours (not a reused id). */
function liveGroups(groups: Map<number, CommandGroup>): number[] {
  if (process.platform === 'win32') {
    return [...groups].filter(([, group]) => group.leader.exitCode === null && group.leader.signalCode === null).map(([id]) => id);
  }
  const table = processTable();
  if (!table) {
    // No /proc (macOS): kill(0) tells whether the group exists, not whose it is; trust it for a while.
    return [...groups].filter(([id, group]) => (group.exitedAt === undefined || Date.now() - group.exitedAt < GROUP_KILL_WINDOW_MS) && groupExists(id)).map(([id]) => id);
  }
  const live = new Set<number>();
  for (const entry of table.values()) if (entry.state !== 'Z' && entry.state !== 'X') live.add(entry.group);
  return [...groups].filter(([id, group]) => {
    if (!live.has(id)) return false;
    // A group id lives as long as any member does; once a new process has that pid and leads it, it is another group.
    const leader = table.get(id);
    return leader === undefined || group.start === undefined || leader.start === group.start;
  }).map(([id]) => id);
}

function signalGroup(id: number, group: CommandGroup, sig: NodeJS.Signals): void {
  if (process.platform === 'win32') {
    if (group.leader.exitCode === null && group.leader.signalCode === null) {
      spawnSync('taskkill', ['/pid', String(id), '/t', '/f'], { stdio: 'ignore', timeout: 10_000 });
    }
    return;
  }
  try {
    process.kill(-id, sig);
  } catch {
    // already gone
  }
}

/** Kills a running command, its process group, and descendants that left the group (setsid). */
function killTree(child: ChildProcess, sig: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(child.pid), '/t', '/f'], { stdio: 'ignore', timeout: 10_000 });
    return;
  }
  const descendants = descendantsOf(child.pid);
  try {
    process.kill(-child.pid, sig);
  } catch {
    child.kill(sig);
  }
  for (const pid of descendants) signal(pid, sig);
}

/** Pids of every live descendant of `root` (Linux; elsewhere none). */
function descendantsOf(root: number): number[] {
  const table = processTable();
  if (!table) return [];
  const children = new Map<number, number[]>();
  for (const [pid, entry] of table) {
    const list = children.get(entry.parent);
    if (list) list.push(pid);
    else children.set(entry.parent, [pid]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const pid of children.get(queue.shift()!) ?? []) {
      found.push(pid);
      queue.push(pid);
    }
  }
  return found;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

const SETTLE_LIMIT_MS = 3000;

/** Polls `done` every few ms, for at most `limitMs`. */
async function until(done: () => boolean, limitMs = SETTLE_LIMIT_MS): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

interface ProcStat {
  state: string;
  parent: number;
  group: number;
  start: string;
}

/** State, parent, process group and start time from /proc/<pid>/stat (Linux); undefined when there is no such process. */
function procStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

function parseStat(stat: string): ProcStat {
  // Fields after the command name (which may contain spaces): state, ppid, pgrp, ..., start time (20th).
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return { state: fields[0] ?? '', parent: Number(fields[1]), group: Number(fields[2]), start: fields[19] ?? '' };
}

/** Every process on the host by pid (Linux); undefined without /proc. */
function processTable(): Map<number, ProcStat> | undefined {
  if (process.platform !== 'linux') return undefined;
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const table = new Map<number, ProcStat>();
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat) table.set(Number(name), stat);
  }
  return table;
}

function groupExists(group: number): boolean {
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
