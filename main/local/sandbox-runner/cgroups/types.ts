/** The limits a sandbox's cgroup enforces (Daytona's cpu and memory; the runner's pids limit is its own). */
export interface SandboxLimits {
  /** CPU cores: the sandbox's processes together get at most this many cores' time. */
  cpu: number;
  /** Memory in GiB: an allocation past it gets the sandbox's largest process killed by the kernel (OOM). */
  memoryGiB: number;
}

/**
 * One sandbox's cgroup (one directory per hierarchy under cgroup v1, one under v2). Every process of the
 * sandbox is in it from its first instruction on: each process the provider starts into the sandbox writes its
 * own pid into `procsFiles` before it execs (see joinCommand), and whatever it forks is born inside.
 */
export interface SandboxCgroup {
  /** The cgroup's name, unique under the provider's base cgroup. */
  readonly name: string;
  /** The files a process writes its pid to, to join this cgroup (cgroup.procs of each hierarchy used). */
  readonly procsFiles: readonly string[];
  /** Whether `freeze` goes through a cgroup freezer (else the caller must use signals). */
  readonly canFreeze: boolean;
  /** Sets the cpu and memory limits, live; and the pids limit the host was set up with. */
  setLimits(limits: SandboxLimits): void;
  /** Freezes every process in the cgroup, forked ones included, and resolves once the kernel reports it frozen. */
  freeze(): Promise<void>;
  /** Lets them run again. */
  thaw(): Promise<void>;
  /** Reads one of the cgroup's files (`cpu.cfs_quota_us`, `memory.max`, `freezer.state`...); undefined if absent. */
  read(file: string): string | undefined;
  /** Host pids of the processes in it. */
  pids(): number[];
  /** Kills whatever is still in it and removes it (every hierarchy's directory). */
  remove(): Promise<void>;
}

/** Where the provider makes its sandboxes' cgroups, and how. */
export interface CgroupHost {
  readonly version: 1 | 2;
  /** What is enforced and what not, for the provider's log (e.g. "cgroup v2 with freezer, pids; not cpu, memory"). */
  readonly description: string;
  create(): SandboxCgroup;
  /** Removes every sandbox cgroup under the base (a crashed provider's), killing what is in them; returns how many. */
  sweep(): Promise<number>;
  /** Removes the base cgroup itself (at provider exit, once every sandbox's is gone). */
  close(): Promise<void>;
}
