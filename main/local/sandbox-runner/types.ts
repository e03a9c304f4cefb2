import type { ChildProcess, StdioOptions } from 'node:child_process';
import type { SandboxCgroup, SandboxLimits } from './cgroups/index.ts';
import type { ToolPackage } from './tool-packages.ts';
import type { Socket } from 'node:net';
import type { SandboxRoot } from './sandbox-root.ts';

/** Where a sandbox's writable directories live on the host. */
export interface SandboxDirs {
  /** Host directory seen as /home/daytona inside the sandbox. */
  home: string;
  /** Host directory seen as /tmp inside the sandbox. */
  tmp: string;
  /** Further host directories bound read-write into the sandbox (volumes), outermost first. */
  mounts?: BindMount[] | undefined;
}

/** A host directory the sandbox sees at `sandboxPath` (a volume, or a part of one). */
export interface BindMount {
  /** Absolute path inside the sandbox, normalised (no trailing slash, no `.` or `..`). */
  sandboxPath: string;
  /** Absolute host path with no symlink in it. */
  hostPath: string;
}

/** What a sandbox is started with; fixed until it stops. */
export interface SandboxSpec {
  dirs: SandboxDirs;
  hostname: string;
  network: NetworkPolicy;
  /**
   * Variables every command in the sandbox gets (its secrets), under the command's own. Held in memory only:
   * they reach commands through their environment, never argv or a file.
   */
  env?: Record<string, string> | undefined;
  /** Where the runner says what happened to the sandbox on its own (its agent restarted, ...). */
  log?: ((line: string) => void) | undefined;
  /** Its cpu and memory limits, enforced where the runner has cgroups (`SandboxRunner.limits`). */
  limits?: SandboxLimits | undefined;
}

/** What a sandbox may reach outside (Daytona's networkBlockAll / networkAllowList). */
export interface NetworkPolicy {
  /** Nothing but the sandbox's own loopback. */
  blockAll: boolean;
  /** Only these IPv4 CIDRs (when set and blockAll is false). */
  allowList?: string[] | undefined;
}

export interface CommandSpec {
  /** Working directory as the sandbox sees it (absolute, e.g. /home/daytona/app). */
  cwd: string;
  /** Sandbox and command variables; they reach the command through its environment, never its argv. */
  env: Record<string, string>;
  stdio?: StdioOptions;
}

/** A command run on a terminal: where, with what variables, and the terminal's size. */
export interface PtySpec {
  /** Working directory as the sandbox sees it (absolute). */
  cwd: string;
  /** Sandbox and command variables (TERM among them); through the environment, never argv. */
  env: Record<string, string>;
  cols: number;
  rows: number;
}

/**
 * A command running in a sandbox on a pseudo-terminal of its own (its controlling terminal). The terminal is
 * the provider's end: what the command writes arrives through onData, what is typed goes in through write.
 */
export interface SandboxPty {
  /** Host pid of the process the terminal runs (nsenter under bubblewrap). */
  readonly pid: number;
  /** Output as raw bytes (a UTF-8 character may be split across two chunks). */
  onData(listener: (data: Buffer) => void): void;
  /** Once, when the command has exited; `signal` is set when a signal ended it. */
  onExit(listener: (exit: { exitCode: number; signal?: NodeJS.Signals | undefined }) => void): void;
  /** Input, as if typed. */
  write(data: string | Buffer): void;
  /** Sets the terminal's size; the command gets SIGWINCH. */
  resize(cols: number, rows: number): void;
  /** Ends the command and everything it started (SIGKILL to its tree). */
  kill(): void;
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
   * Starts a command in the sandbox on a new pseudo-terminal, as its session leader (so the shell has job
   * control). Ends with the sandbox, like spawn's commands. Throws once not alive.
   */
  spawnPty(argv: string[], spec: PtySpec): SandboxPty;
  /**
   * Ends everything the sandbox runs: SIGTERM first and up to `graceMs` to exit (0: SIGKILL at once),
   * then SIGKILL. Resolves once nothing it started is left (bounded by a few seconds).
   */
  stop(graceMs: number): Promise<void>;
  /**
   * 'own': the sandbox has a network namespace of its own (its ports are reachable only through connect);
   * 'shared': it uses the host's network (its ports are the host's).
   */
  readonly network: 'own' | 'shared';
  /** A TCP connection to 127.0.0.1:<port> as the sandbox sees it. */
  connect(port: number): Promise<Socket>;
  /** Applies a new network policy at once; rejects when this sandbox cannot enforce it. */
  setNetwork(policy: NetworkPolicy): Promise<void>;
  /**
   * Sends SIGSTOP or SIGCONT to every process the sandbox runs (pause and resume: memory stays as it is);
   * returns how many processes it reached.
   */
  signalAll(sig: 'SIGSTOP' | 'SIGCONT'): number;
  /**
   * A handle of the caller's own on the sandbox's filesystem as its processes see it (sandbox-root.ts), for the
   * toolbox's file routes; undefined where the kernel cannot vouch for it. Absent where commands are plain host
   * processes: the file routes then keep to the sandbox's home, /tmp and volumes.
   */
  openRoot?(): Promise<SandboxRoot | undefined>;
  /**
   * The sandbox's own cgroup, holding every process it runs (where the runner has cgroups): its freezer pauses
   * the sandbox, its limits are the sandbox's cpu, memory and pids. Removed when the sandbox stops.
   */
  readonly cgroup?: SandboxCgroup | undefined;
}

/** A sandbox started ahead of need (a warm pool's, on fresh empty dirs), later given to one sandbox. */
export interface PrestartedSandbox extends RunningSandbox {
  /** The hostname it has now. */
  readonly hostname: string;
  /**
   * Makes it the sandbox `spec` describes, once the caller has moved its dirs into `spec.dirs`' place:
   * hostname, network policy, log. Commands asked for meanwhile wait until it is done.
   */
  adopt(spec: SandboxSpec): Promise<void>;
}

/** Starts sandboxes and kills commands' process trees. */
export interface SandboxRunner {
  /** 'bubblewrap' when commands run in their own namespaces; 'none' when they run as plain host processes. */
  readonly isolation: 'bubblewrap' | 'none';
  /** Why sandboxes are not isolated here (only when isolation is 'none'), worded for the user. */
  readonly unisolatedReason?: string;
  /** 'own' when every sandbox gets its own network namespace; 'shared' when they use the host's. */
  readonly network: 'own' | 'shared';
  /** Why sandboxes share the host's network here (only when network is 'shared'), worded for the user. */
  readonly sharedNetworkReason?: string;
  /**
   * How sandboxes are limited and paused here, for the log: the cgroups used, or why there are none (then limits
   * are recorded, not enforced, and pause sends SIGSTOP).
   */
  readonly limits: { enforced: true; how: string } | { enforced: false; reason: string };
  /** Lets go of what the runner holds for all its sandboxes (its base cgroup), once every sandbox has stopped. */
  close?(): Promise<void>;
  /** Absolute path of a Node.js binary usable inside the sandbox. */
  readonly nodePath: string;
  /** Where a tool package (sandbox-runner/tool-packages.ts) is as the sandbox's commands see it; undefined if absent. */
  toolPath(name: ToolPackage): string | undefined;
  /** Starts a sandbox; resolves once commands can run in it. */
  start(spec: SandboxSpec): Promise<RunningSandbox>;
  /** Starts a sandbox that can be adopted later (warm pools); absent where a started sandbox cannot be renamed. */
  prestart?(spec: SandboxSpec): Promise<PrestartedSandbox>;
  /**
   * A fresh sandbox id whose sandbox would start at once (a warm pool's next one has it as its hostname, so it
   * needs no renaming); undefined when any id will do. Only a suggestion: a start never depends on it.
   */
  suggestId?(): string | undefined;
  /**
   * Kills a running command and everything it started (its process group, and descendants that left
   * it). A no-op once the command exited: what it left running in the background belongs to the sandbox.
   */
  kill(child: ChildProcess, signal?: NodeJS.Signals): void;
  /** Maps a sandbox path to the host path the sandbox's commands see it at (identity under bubblewrap). */
  visiblePath(sandboxPath: string, dirs: SandboxDirs): string;
}

/**
 * How a sandbox's namespaces are laid out, so that commands can join them (see startInit in bubblewrap-init.ts):
 * - 'nested': bwrap starts inside a user namespace of our own; the sandbox gets a devpts (/dev/pts).
 * - 'flat': bwrap alone, with a /dev of device nodes but no devpts (ptys cannot be opened inside). For
 *   systems where unshare may make a user namespace but not use it (Ubuntu's AppArmor restriction).
 */
export type SandboxLayout = 'nested' | 'flat';
