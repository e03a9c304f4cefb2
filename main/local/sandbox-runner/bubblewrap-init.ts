import { spawn } from 'node:child_process';
import { closeSync, openSync, readlinkSync } from 'node:fs';
import { SANDBOX_HOME } from '../sandbox-record.ts';
import type { NamespaceTools } from './probe.ts';
import { procStat, signal, until } from './processes.ts';
import { namespaceMembers, signalMembers, type InitProcess } from './namespace-members.ts';
import { sandboxEnv } from './sandbox-env.ts';
import { connectHost, SHARED_NETWORK_CHANGE } from './host-network.ts';
import { OwnNetwork } from './own-network.ts';
import { startPtyProcess } from './pty-process.ts';
import type { PrestartedSandbox, SandboxLayout } from './types.ts';
import { registerAgent, residentAgent, stdioModes } from './agent/launch-agent.ts';
import { setHostname } from './set-hostname.ts';
import { openInfoFile } from './info-file.ts';
import { openSandboxRoot, rootFactsOf, type RootFacts } from './sandbox-root.ts';
import type { StdioOptions } from 'node:child_process';
import { inCgroup } from './cgroups/index.ts';
import type { InitNetwork, InitOptions } from './init-options.ts';

/** How long a sandbox's init may take to come up before its start counts as failed. */
const INIT_TIMEOUT_MS = 15_000;
export const INIT_READY = 'daytona-tray-init-ready';
/** The namespaces a 'flat' sandbox's command joins, in nsenter's option names and /proc/<pid>/ns/ file names. */
const NAMESPACES = [
  ['user', 'user'],
  ['mount', 'mnt'],
  ['pid', 'pid'],
  ['ipc', 'ipc'],
  ['uts', 'uts'],
] as const;

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
export async function startInit(
  tools: NamespaceTools,
  layout: SandboxLayout,
  args: string[],
  network: InitNetwork,
  options: InitOptions,
): Promise<PrestartedSandbox> {
  // Every command's variables under its own (the sandbox's secrets); a warm pool's sandbox gets them at adopt.
  let sandboxVars = options.env ?? {};
  const own = layout === 'nested' ? network.own : undefined;
  // With a network of its own, the outer user namespace also gets a new network namespace, which bwrap
  // (and every process below it) inherits; only that outer namespace, the provider's, can configure it.
  const networkBlockAll = !own && network.policy.blockAll;
  const procsFiles = options.cgroup?.procsFiles;
  const info = openInfoFile();
  // stdin is the sandbox's lifeline: its waiting command (pid 2) reads it and exits at end of file, when the
  // provider closes it (stop) or dies. pid 1 then exits and the kernel kills the rest of its pid namespace. That
  // does not rest on bwrap's --die-with-parent, which misses a parent that dies while the sandbox is being set up
  // (bubblewrap#633): such a sandbox would outlive the provider.
  const init = spawn(
    ...inCgroup(
      procsFiles,
      ...((layout === 'nested'
        ? [tools.unshare!, ['--user', '--map-root-user', ...(own ? ['--net'] : []), '--', tools.bwrap, ...args]]
        : [tools.bwrap, args]) as [string, string[]]),
    ),
    { stdio: ['pipe', 'pipe', 'pipe', info.fd], env: {} },
  );
  init.stdin?.on('error', () => {}); // nothing is written; the end is ours to close
  /** Ends the sandbox: its lifeline too, so its pid 1 goes even when bwrap's link to it never came. */
  const end = () => {
    init.stdin?.destroy();
    init.kill('SIGKILL');
  };
  let alive = true;
  const ended = new Promise<void>((resolve) => {
    init.once('exit', () => {
      alive = false;
      resolve();
    });
    init.once('error', () => {
      alive = false;
      resolve();
    });
  });
  let stderr = '';
  init.stderr?.setEncoding('utf8');
  init.stderr?.on('data', (chunk: string) => {
    if (stderr.length < 4000) stderr += chunk;
  });
  let readyText = '';
  init.stdout?.setEncoding('utf8');

  let initProcess: InitProcess;
  let ownNetwork: OwnNetwork | undefined;
  let rootFacts: RootFacts | undefined;
  /** Files held open: 'nested' the outer user namespace (+ net); 'flat' NAMESPACES (+ net); then the sandbox's root. */
  const held: number[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the sandbox did not come up within ${INIT_TIMEOUT_MS / 1000} s`)), INIT_TIMEOUT_MS);
      const check = () => {
        // bwrap wrote its info before it let the sandbox run: complete once the sandbox says it is up.
        if (!readyText.includes(INIT_READY)) return;
        clearTimeout(timer);
        resolve();
      };
      init.stdout?.on('data', (chunk: string) => {
        if (readyText.length < 1000) readyText += chunk;
        check();
      });
      init.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      init.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`bubblewrap exited with ${code ?? signal}: ${stderr.trim().slice(0, 500) || 'no output'}`));
      });
    });
    const infoText = info.read();
    info.close();
    const pid = Number(/"child-pid"\s*:\s*(\d+)/.exec(infoText)?.[1]);
    const pidNamespace = /"pid-namespace"\s*:\s*(\d+)/.exec(infoText)?.[1];
    const before = procStat(pid);
    if (!(pid > 0) || !pidNamespace || !before)
      throw new Error(`bubblewrap reported no usable init process (${infoText.trim().slice(0, 200) || 'nothing'})`);
    if (layout === 'nested') {
      // The outer bwrap is our own child: its pid is not reused before we have seen it exit.
      if (!alive) throw new Error('the sandbox init exited while it was starting');
      held.push(openSync(`/proc/${init.pid}/ns/user`, 'r'));
      if (own) held.push(openSync(`/proc/${init.pid}/ns/net`, 'r'));
    } else {
      for (const [, file] of NAMESPACES) held.push(openSync(`/proc/${pid}/ns/${file}`, 'r'));
      if (networkBlockAll) held.push(openSync(`/proc/${pid}/ns/net`, 'r'));
    }
    held.push(openSync(`/proc/${pid}/root`, 'r'));
    rootFacts = rootFactsOf(pid, held.at(-1)!); // before the check below: read from the right process
    // Everything opened was the init's: the same process before and after (start time), its pid namespace.
    if (readlinkSync(`/proc/${pid}/ns/pid`) !== `pid:[${pidNamespace}]` || procStat(pid)?.start !== before.start) {
      throw new Error('the sandbox init exited while it was starting');
    }
    initProcess = { pid, start: before.start, pidNamespace: `pid:[${pidNamespace}]` };
    if (own) {
      const fdPath = (fd: number) => `/proc/${process.pid}/fd/${fd}`;
      ownNetwork = new OwnNetwork(own.tools, fdPath(held[0]!), fdPath(held[1]!), own.relaySocket);
      await ownNetwork.apply(network.policy);
    }
  } catch (error) {
    await ownNetwork?.close();
    for (const fd of held) closeSync(fd);
    info.close();
    end();
    await ended;
    await options.cgroup?.remove().catch(() => {}); // the start's own error says more
    throw error;
  }
  // Nothing more is read from the init's pipes; drained so a write there can never block it.
  init.stdout?.resume();
  init.stderr?.removeAllListeners('data');
  init.stderr?.resume();

  const fdPath = (fd: number) => `/proc/${process.pid}/fd/${fd}`;
  const joinArgs =
    layout === 'nested'
      ? [
          `--user=${fdPath(held[0]!)}`,
          '--preserve-credentials',
          '--',
          tools.nsenter,
          '--target',
          String(initProcess.pid),
          '--user',
          '--mount',
          '--pid',
          '--ipc',
          '--uts',
          ...(networkBlockAll || own ? ['--net'] : []),
          '--preserve-credentials',
          '--root',
        ]
      : [
          ...NAMESPACES.map(([option], index) => `--${option}=${fdPath(held[index]!)}`),
          ...(networkBlockAll ? [`--net=${fdPath(held[NAMESPACES.length]!)}`] : []),
          '--preserve-credentials',
          `--root=${fdPath(held.at(-1)!)}`,
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
  /** Counts an nsenter as started until the returned function is called (when it has exited). */
  const countStart = () => {
    starting++;
    let counted = true;
    return () => {
      if (!counted) return;
      counted = false;
      starting--;
      release();
    };
  };
  const joinCommand = (argv: string[], cwd: string) => [
    ...joinArgs,
    ...(tools.wdns
      ? [`--wdns=${cwd}`, '--', ...argv]
      : // Older nsenter resolves --wd on the host: change directory inside instead.
        ['--', '/bin/sh', '-c', 'cd -- "$1" || exit 1; shift; exec "$@"', 'sh', cwd, ...argv]),
  ];
  void ended.then(async () => {
    // The helpers first: they hold the namespace files open by path, which closing would recycle.
    await ownNetwork?.close();
    closing = true;
    release();
  });

  // Read from /proc, not only from the exit event: that one arrives a moment after the kernel knows.
  const running = () => {
    if (!alive || released) return false;
    const stat = procStat(initProcess.pid);
    return stat !== undefined && stat.start === initProcess.start && stat.state !== 'Z' && stat.state !== 'X';
  };
  /**
   * The host-side nsenters (launchers) still running. A launcher whose child inside is stopped (pause) stops
   * itself too, as job control has it, and is outside the namespace the pause signals: it is continued here.
   */
  const launchers = new Set<number>();
  const continueLaunchers = () => {
    for (const pid of launchers) signal(pid, 'SIGCONT');
  };
  const nsenterSpawn = (argv: string[], cwd: string, env: Record<string, string>, stdio: StdioOptions) => {
    // Own process group: killTree takes the command's tree down without touching the rest of the sandbox.
    const child = spawn(...inCgroup(procsFiles, tools.nsenter, joinCommand(argv, cwd)), { env, stdio, detached: true });
    const done = countStart();
    const pid = child.pid;
    if (pid !== undefined) launchers.add(pid);
    const exited = () => {
      if (pid !== undefined) launchers.delete(pid);
      done();
    };
    child.once('exit', exited);
    child.once('error', exited);
    return child;
  };
  let log = options.log ?? (() => {});
  const agentNode = options.agentNode;
  const agent = agentNode
    ? residentAgent({
        nodePath: agentNode,
        spawnInside: (argv, env, stdio) => nsenterSpawn(argv, '/', env, stdio),
        running,
        killInside: (nsPid) => {
          for (const member of namespaceMembers(initProcess)) if (member.nsPid === nsPid) signal(member.pid, 'SIGKILL');
        },
        log: (line) => log(line),
      })
    : undefined;
  void ended.then(() => agent?.close());
  if (agent && options.waitForAgent) {
    try {
      await agent.whenReady();
    } catch (error) {
      end();
      await ended;
      await options.cgroup?.remove().catch(() => {}); // the start's own error says more
      throw error;
    }
  }
  let hostname = options.hostname;
  let stopping: Promise<void> | undefined;
  const sandbox: PrestartedSandbox = {
    get hostname() {
      return hostname;
    },
    async adopt(spec) {
      if (!running()) throw new Error('the sandbox is not running');
      if (spec.log) log = spec.log;
      sandboxVars = spec.env ?? {};
      if (spec.limits) options.cgroup?.setLimits(spec.limits);
      if (spec.hostname !== hostname) {
        hostname = spec.hostname;
        const renamed =
          layout === 'nested' && options.hostnameTool
            ? setHostname(tools.nsenter, fdPath(held[0]!), initProcess.pid, options.hostnameTool, spec.hostname, countStart())
            : Promise.reject(new Error('this sandbox cannot be renamed after it started'));
        // Its commands wait for the new name; the caller need not (the agent holds them back meanwhile).
        agent?.holdUntil(renamed.catch((error: unknown) => log(`could not set its hostname: ${String(error)}`)));
        if (!agent) await renamed;
      }
      const policy = spec.network;
      if (policy.blockAll || policy.allowList) {
        if (!ownNetwork) throw new Error(SHARED_NETWORK_CHANGE);
        await ownNetwork.apply(policy);
      }
    },
    get alive() {
      return running();
    },
    ended,
    cgroup: options.cgroup,
    network: own ? 'own' : 'shared',
    async connect(port) {
      if (!running()) throw new Error('the sandbox is not running');
      return ownNetwork ? ownNetwork.connect(port) : connectHost(port);
    },
    async setNetwork(policy) {
      if (!running()) throw new Error('the sandbox is not running');
      if (!ownNetwork) throw new Error(SHARED_NETWORK_CHANGE);
      await ownNetwork.apply(policy);
    },
    async openRoot() {
      if (!running()) throw new Error('the sandbox is not running');
      // Counted as a start: the held root's fd is not released (its number reused) while it is reopened.
      return rootFacts ? openSandboxRoot(rootFacts).finally(countStart()) : undefined;
    },
    signalAll: (sig) => {
      const count = signalMembers(initProcess, sig);
      if (sig === 'SIGCONT') continueLaunchers();
      return count;
    },
    spawn(argv, spec) {
      if (!running()) throw new Error('the sandbox is not running');
      const env = sandboxEnv({ ...sandboxVars, ...spec.env }, SANDBOX_HOME);
      if (agent) return agent.spawn({ argv, cwd: spec.cwd, env, stdio: stdioModes(spec.stdio) });
      return nsenterSpawn(argv, spec.cwd, env, spec.stdio ?? ['ignore', 'pipe', 'pipe']);
    },
    spawnPty(argv, spec) {
      if (!running()) throw new Error('the sandbox is not running');
      const env = sandboxEnv({ ...sandboxVars, ...spec.env }, SANDBOX_HOME);
      // From inside, through the agent, as Daytona's daemon makes its PTYs: a child of the agent on the sandbox's devpts.
      if (agent && options.ptyModule)
        return agent.spawnTerminal({ argv, cwd: spec.cwd, env, cols: spec.cols, rows: spec.rows, module: options.ptyModule });
      // The terminal is the provider's (a host pty): nsenter and the shell it becomes inside keep it as their
      // controlling terminal, so a 'flat' sandbox without a devpts of its own gets terminals too.
      const done = countStart();
      try {
        const pty = startPtyProcess(...inCgroup(procsFiles, tools.nsenter, joinCommand(argv, spec.cwd)), {
          cwd: '/',
          env,
          cols: spec.cols,
          rows: spec.rows,
        });
        launchers.add(pty.pid);
        pty.onExit(() => {
          launchers.delete(pty.pid);
          done();
        });
        return pty;
      } catch (error) {
        done();
        throw error;
      }
    },
    stop(graceMs) {
      stopping ??= (async () => {
        // The agent is not started again from here on; it goes last, with everything else, at the SIGKILL.
        const agentPid = agent?.pid;
        agent?.close();
        if (graceMs > 0 && alive) {
          // SIGTERM to everything inside but bwrap's pid 1 and the waiting command (pid 2): they must
          // outlive the grace period, or the kernel would SIGKILL the rest at once. The agent too stays,
          // to report the commands' exits.
          const members = namespaceMembers(initProcess).filter((member) => member.nsPid > 2 && member.nsPid !== agentPid);
          for (const member of members) signal(member.pid, 'SIGTERM');
          await until(() => members.every((member) => procStat(member.pid)?.start !== member.start), graceMs);
        }
        // bwrap's pid 1 dies with the outer bwrap (PR_SET_PDEATHSIG) or its lifeline; the kernel then kills its pid namespace.
        if (init.exitCode === null && init.signalCode === null) end();
        continueLaunchers(); // a launcher stopped by a pause could not exit (nor let go of its socket) otherwise
        await ended;
        await ownNetwork?.close();
        // The pid namespace is empty once its pid 1 is a zombie (or gone, or the pid is someone else's).
        await until(() => {
          const stat = procStat(initProcess.pid);
          return stat === undefined || stat.state === 'Z' || stat.start !== initProcess.start;
        });
        // And with it whatever joined the sandbox and outlived its pid namespace; a failure is no reason to fail the stop.
        await options.cgroup?.remove().catch((error: unknown) => log(`could not remove its cgroup: ${String(error)}`));
      })();
      return stopping;
    },
  };
  if (agent) registerAgent(sandbox, agent);
  return sandbox;
}
