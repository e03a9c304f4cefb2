import { spawn, spawnSync } from 'node:child_process';
import { connectHost, SHARED_NETWORK_CHANGE } from './host-network.ts';
import { killTree, procStat, processTable, until } from './processes.ts';
import { startPtyProcess } from './pty-process.ts';
import { sandboxEnv, toHostPath } from './sandbox-env.ts';
import { hostToolDir } from './tool-packages.ts';
import type { SandboxRunner } from './types.ts';

/** How long after its leader exited a process group may still be killed where /proc cannot tell (later its id may be reused). */
const GROUP_KILL_WINDOW_MS = 10_000;

/** A command's process group, remembered so stop can end its background jobs. */
interface CommandGroup {
  /** Whether its leader is still running. */
  leaderRunning(): boolean;
  /** The leader's start time (Linux), to tell our group from a later one that reuses its id. */
  start: string | undefined;
  exitedAt?: number;
}

/** Under Electron its binary is the sandbox's node: as a command it must run as Node. */
const ELECTRON_AS_NODE: Record<string, string> = process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {};

export function plainRunner(reason: string): SandboxRunner {
  return {
    isolation: 'none',
    unisolatedReason: reason,
    network: 'shared',
    sharedNetworkReason: `sandboxes are not isolated here (${reason})`,
    limits: { enforced: false, reason: 'sandboxes run as plain processes, without a cgroup of their own' },
    nodePath: process.execPath,
    toolPath: hostToolDir,
    async start(spec) {
      // A plain process sees the host's filesystem: there is nowhere to mount a volume.
      if (spec.dirs.mounts?.length) throw new Error(`volumes need bubblewrap, and sandboxes are not isolated here (${reason})`);
      let alive = true;
      let stopped!: () => void;
      const ended = new Promise<void>((resolve) => {
        stopped = resolve;
      });
      const groups = new Map<number, CommandGroup>();
      let stopping: Promise<void> | undefined;
      return {
        get alive() {
          return alive;
        },
        ended,
        network: 'shared',
        connect: connectHost,
        async setNetwork() {
          throw new Error(SHARED_NETWORK_CHANGE);
        },
        signalAll(sig) {
          if (process.platform === 'win32') throw new Error('pausing needs POSIX signals, which Windows does not have');
          // Every command's process group (a job that left its group with setsid is out of reach here).
          const live = liveGroups(groups);
          for (const id of live) signalGroup(id, groups.get(id)!, sig);
          return live.length;
        },
        spawn(argv, command) {
          if (!alive) throw new Error('the sandbox is not running');
          const [program, ...rest] = argv;
          if (!program) throw new Error('empty command');
          const child = spawn(program, rest, {
            cwd: toHostPath(command.cwd, spec.dirs),
            env: { ...sandboxEnv({ ...spec.env, ...command.env }, spec.dirs.home), ...ELECTRON_AS_NODE },
            stdio: command.stdio ?? ['ignore', 'pipe', 'pipe'],
            // Own process group: its background jobs stay in it, so stop can end them too.
            detached: process.platform !== 'win32',
          });
          if (child.pid !== undefined) {
            const group: CommandGroup = {
              leaderRunning: () => child.exitCode === null && child.signalCode === null,
              start: procStat(child.pid)?.start,
            };
            groups.set(child.pid, group);
            child.once('exit', () => {
              group.exitedAt = Date.now();
            });
            if (groups.size > 256) pruneGroups(groups);
          }
          return child;
        },
        spawnPty(argv, command) {
          if (!alive) throw new Error('the sandbox is not running');
          const [program, ...rest] = argv;
          if (!program) throw new Error('empty command');
          const pty = startPtyProcess(program, rest, {
            cwd: toHostPath(command.cwd, spec.dirs),
            env: { ...sandboxEnv({ ...spec.env, ...command.env }, spec.dirs.home), ...ELECTRON_AS_NODE },
            cols: command.cols,
            rows: command.rows,
          });
          // It leads a session and a process group of its own (forkpty): stop ends that group like a command's.
          const group: CommandGroup = { leaderRunning: () => group.exitedAt === undefined, start: procStat(pty.pid)?.start };
          groups.set(pty.pid, group);
          pty.onExit(() => {
            group.exitedAt = Date.now();
          });
          if (groups.size > 256) pruneGroups(groups);
          return pty;
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
    return [...groups].filter(([, group]) => group.leaderRunning()).map(([id]) => id);
  }
  const table = processTable();
  if (!table) {
    // No /proc (macOS): kill(0) tells whether the group exists, not whose it is; trust it for a while.
    return [...groups]
      .filter(([id, group]) => (group.exitedAt === undefined || Date.now() - group.exitedAt < GROUP_KILL_WINDOW_MS) && groupExists(id))
      .map(([id]) => id);
  }
  const live = new Set<number>();
  for (const entry of table.values()) if (entry.state !== 'Z' && entry.state !== 'X') live.add(entry.group);
  return [...groups]
    .filter(([id, group]) => {
      if (!live.has(id)) return false;
      // A group id lives as long as any member does; once a new process has that pid and leads it, it is another group.
      const leader = table.get(id);
      return leader === undefined || group.start === undefined || leader.start === group.start;
    })
    .map(([id]) => id);
}

function signalGroup(id: number, group: CommandGroup, sig: NodeJS.Signals): void {
  if (process.platform === 'win32') {
    if (group.leaderRunning()) {
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

function groupExists(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
