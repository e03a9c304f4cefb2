import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { backoffDelay } from '../../../core/backoff.ts';
import { notFound } from '../../errors.ts';
import type { SandboxRecord } from '../../sandbox-record.ts';
import { findUtility } from '../../sandbox-runner/probe.ts';
import { spawnInSandbox, type SandboxExec } from '../run-command.ts';
import { alive, endProcess, keepOutput, type ManagedProcess } from './desktop-process.ts';

/** Daytona's ports (VNC_PORT, NO_VNC_PORT in libs/computer-use/pkg/computeruse/computeruse.go): noVNC's page is the sandbox's port 6080. */
export const VNC_PORT = 5901;
export const NO_VNC_PORT = 6080;
const NOVNC_WEB = '/usr/share/novnc';
const READY_LIMIT_MS = 10_000;

export type VncProcessName = 'x11vnc' | 'novnc';
export const VNC_PROCESSES: readonly VncProcessName[] = ['x11vnc', 'novnc'];
const PRIORITIES: Record<VncProcessName, number> = { x11vnc: 300, novnc: 400 };

type Find = (command: string) => string | undefined;

/** Restarts after an unexpected exit (Daytona's supervisor restarts x11vnc and novnc too): given up after a burst. */
const RESTART_BACKOFF = { initialMs: 250, maxMs: 5000 };
const RESTART_BURST = 5;
const RESTART_WINDOW_MS = 60_000;

/** What the desktop tells its VNC part: whether it should run (asked to, display up), on which display, and its log. */
export interface VncSupervision {
  wanted(): boolean;
  display(): string;
  log(line: string): void;
}

/** Which Debian packages VNC still needs on this machine (empty when none). */
export function missingVncPackages(find: Find = findUtility): string[] {
  return [
    ...(find('x11vnc') ? [] : ['x11vnc']),
    ...(find('websockify') ? [] : ['websockify']),
    ...(existsSync(`${NOVNC_WEB}/vnc.html`) ? [] : ['novnc']),
  ];
}

/**
 * A desktop's VNC access, as on Daytona: x11vnc serves the display on the sandbox's loopback (port 5901) and
 * websockify serves noVNC's page and its WebSocket on port 6080, reached through the sandbox's preview link
 * (`getPreviewLink(6080)`, then /vnc.html), which checks the preview token of a private sandbox. Only for
 * sandboxes with a network of their own: in the host's network their ports would be every local user's, and
 * two sandboxes' would collide. Without the packages, or in a shared network, the desktop runs without VNC
 * and the process routes say why.
 */
export class Vnc {
  readonly processes: Record<VncProcessName, ManagedProcess> = { x11vnc: { logs: '', errors: '' }, novnc: { logs: '', errors: '' } };
  /** Why VNC is not offered here; undefined when it is. */
  readonly unavailable: string | undefined;

  private readonly exec: SandboxExec;
  private readonly record: () => SandboxRecord;
  private readonly supervision: VncSupervision | undefined;
  /** Children ended on purpose (their exit is not a crash). */
  private readonly ending = new WeakSet<ChildProcess>();
  private crashes: number[] = [];
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private starting: Promise<void> | undefined;

  constructor(exec: SandboxExec, record: () => SandboxRecord, find: Find = findUtility, supervision?: VncSupervision) {
    this.exec = exec;
    this.record = record;
    this.supervision = supervision;
    const missing = missingVncPackages(find);
    if (exec.runner.network !== 'own') {
      this.unavailable = `this machine's sandboxes share the host's network, where a sandbox's VNC ports would be open to every local user (${exec.runner.sharedNetworkReason ?? 'no network namespaces'}); use screenshots (computer_use_screenshot) instead`;
    } else if (missing.length > 0) {
      this.unavailable = `VNC needs ${missing.join(', ')}, not installed on this machine: install the Debian package${missing.length > 1 ? 's' : ''} (sudo apt-get install ${missing.join(' ')}) and restart the desktop`;
    }
  }

  get running(): boolean {
    return VNC_PROCESSES.every((name) => alive(this.processes[name].child));
  }

  /** The processes' entries for the status routes: none when VNC is not offered here. */
  status(): Partial<Record<VncProcessName, ReturnType<Vnc['statusOf']>>> {
    return this.unavailable ? {} : { x11vnc: this.statusOf('x11vnc'), novnc: this.statusOf('novnc') };
  }

  statusOf(name: VncProcessName) {
    const child = this.processes[name].child;
    return { running: alive(child), priority: PRIORITIES[name], autoRestart: true, ...(alive(child) ? { pid: child.pid! } : {}) };
  }

  /** The process, for its logs; a 404 with Daytona's PROCESS_NOT_FOUND saying why when VNC is not offered. */
  process(name: VncProcessName): ManagedProcess {
    if (this.unavailable) throw notFound(`Process ${name} is not running: ${this.unavailable}.`, 'PROCESS_NOT_FOUND');
    return this.processes[name];
  }

  /** Starts x11vnc, then websockify; resolves once both accept connections. Nothing when VNC is not offered. */
  start(display: string): Promise<void> {
    if (this.unavailable) return Promise.resolve();
    this.starting ??= this.startNow(display).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startNow(display: string): Promise<void> {
    const id = this.record().id;
    if (!alive(this.processes.x11vnc.child)) {
      // -localhost: only the sandbox's own processes (and websockify) reach the VNC server; no password, as on Daytona.
      await this.spawn('x11vnc', [
        'x11vnc',
        '-display',
        display,
        '-forever',
        '-shared',
        '-localhost',
        '-nopw',
        '-rfbport',
        String(VNC_PORT),
      ]);
      await this.ready('x11vnc', id, VNC_PORT);
    }
    if (!alive(this.processes.novnc.child)) {
      await this.spawn('novnc', ['websockify', `--web=${NOVNC_WEB}/`, `127.0.0.1:${NO_VNC_PORT}`, `127.0.0.1:${VNC_PORT}`]);
      await this.ready('novnc', id, NO_VNC_PORT);
    }
  }

  /** Waits until the process accepts a connection on its port in the sandbox (or exits, or the limit passes). */
  private async ready(name: VncProcessName, id: string, port: number): Promise<void> {
    const deadline = Date.now() + READY_LIMIT_MS;
    while (alive(this.processes[name].child) && Date.now() < deadline) {
      const socket = await this.exec.service.connect(id, port).catch(() => undefined);
      if (socket) {
        socket.destroy();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const errors = this.processes[name].errors.trim().slice(-300);
    this.processes[name].errors += `\n${name} did not accept connections on port ${port}${errors ? '' : ' (no output)'}\n`;
  }

  private async spawn(name: VncProcessName, argv: string[]): Promise<void> {
    const managed = this.processes[name];
    const child = await spawnInSandbox(this.exec, this.record(), argv, {}, ['ignore', 'pipe', 'pipe']);
    managed.child = child;
    keepOutput(child, managed);
    child.once('exit', (code, signal) => this.exited(name, child, signal ?? `code ${code}`));
  }

  /** A process ended by itself while the desktop runs: started again after a short wait, and the log says so. */
  private exited(name: VncProcessName, child: ChildProcess, how: string): void {
    const supervision = this.supervision;
    if (!supervision || this.ending.has(child) || this.processes[name].child !== child || !supervision.wanted()) return;
    const who = `the desktop of sandbox ${this.record().id}`;
    const now = Date.now();
    this.crashes = [...this.crashes.filter((at) => now - at < RESTART_WINDOW_MS), now];
    if (this.restartTimer) return;
    if (this.crashes.length > RESTART_BURST) {
      supervision.log(`${who}: ${name} exited (${how}) ${this.crashes.length} times within a minute; not restarting it again`);
      return;
    }
    const delay = backoffDelay(RESTART_BACKOFF, this.crashes.length);
    supervision.log(`${who}: ${name} exited unexpectedly (${how}); restarting it in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!supervision.wanted()) return;
      this.start(supervision.display()).then(
        () => supervision.log(`${who}: ${name} restarted`),
        (error: unknown) => supervision.log(`${who}: could not restart ${name}: ${(error as Error).message}`),
      );
    }, delay);
    this.restartTimer.unref?.();
  }

  async stopProcess(name: VncProcessName): Promise<void> {
    const child = this.processes[name].child;
    if (!alive(child)) return;
    this.ending.add(child);
    await endProcess(this.exec, child);
  }

  async stop(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.stopProcess('novnc');
    await this.stopProcess('x11vnc');
  }
}
