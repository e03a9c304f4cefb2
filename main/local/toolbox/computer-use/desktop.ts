import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { backoffDelay } from '../../../core/backoff.ts';
import { ApiError, notFound } from '../../errors.ts';
import type { SandboxRecord } from '../../sandbox-record.ts';
import { findUtility } from '../../sandbox-runner/probe.ts';
import { until } from '../../sandbox-runner/processes.ts';
import { runInSandbox, spawnInSandbox, type SandboxExec } from '../run-command.ts';
import { Accessibility } from './accessibility.ts';
import { Vnc } from './vnc.ts';
import { alive, endedHow, endProcess, keepOutput, type ManagedProcess } from './desktop-process.ts';

/** The programs a desktop needs, by the Debian package that installs each. */
const REQUIRED = [
  { command: 'Xvfb', pkg: 'xvfb' },
  { command: 'openbox', pkg: 'openbox' },
  { command: 'xdotool', pkg: 'xdotool' },
  { command: 'xprop', pkg: 'x11-utils' },
] as const;

/** Daytona's default screen size; a sandbox's VNC_RESOLUTION variable (e.g. 1280x800) overrides it, as there. */
const DEFAULT_RESOLUTION = '1024x768';
const READY_LIMIT_MS = 10_000;
/** Restarts after an unexpected exit: quick at first, slower when it keeps dying, given up after a burst. */
const RESTART_BACKOFF = { initialMs: 250, maxMs: 5000 };
const RESTART_BURST = 5;
const RESTART_WINDOW_MS = 60_000;

export type DesktopProcessName = 'xvfb' | 'openbox';
const PRIORITIES: Record<DesktopProcessName, number> = { xvfb: 100, openbox: 200 };

export interface ProcessStatus {
  running: boolean;
  priority: number;
  autoRestart: boolean;
  pid?: number;
}

/** What a desktop needs beyond running commands in its sandbox. */
export interface DesktopOptions {
  /** The provider's log: unexpected exits and restarts are said there. */
  log?: ((line: string) => void) | undefined;
  /** Where the desktop's programs are looked for (default: the system's usual directories; tests simulate a machine without one). */
  findUtility?: ((command: string) => string | undefined) | undefined;
}

/** Which Debian packages a desktop still needs on this machine (empty when none); `find` locates a program. */
export function missingDesktopPackages(find: (command: string) => string | undefined = findUtility): string[] {
  return REQUIRED.filter((tool) => !find(tool.command)).map((tool) => tool.pkg);
}

/**
 * One sandbox's desktop: Xvfb and the openbox window manager, started inside the sandbox like any of its
 * commands, so they see only its /tmp, network and processes. Xvfb listens only on a Unix socket in the
 * sandbox's own /tmp (no TCP, no abstract socket, which is shared by every sandbox on the host's network),
 * so no other sandbox can connect to it; its screen is mapped to a file there that screenshots read.
 */
export class Desktop {
  readonly processes: Record<DesktopProcessName, ManagedProcess> = { xvfb: { logs: '', errors: '' }, openbox: { logs: '', errors: '' } };
  display = ':0';
  width = 0;
  height = 0;
  private starting: Promise<void> | undefined;
  /** Asked to run (start) and not asked to stop since: only then is an exited process restarted. */
  private wanted = false;
  /** Children this desktop ended on purpose (their exit is not a crash). */
  private readonly ending = new WeakSet<ChildProcess>();
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private crashes: number[] = [];

  private readonly exec: SandboxExec;
  private readonly log: (line: string) => void;
  private readonly find: ((command: string) => string | undefined) | undefined;
  record: SandboxRecord;
  /** Its AT-SPI buses, started with it (programs register with the accessibility bus when they start). */
  readonly accessibility: Accessibility;
  /** Its VNC server and noVNC page (x11vnc, novnc), where the sandbox has a network of its own. */
  readonly vnc: Vnc;

  constructor(exec: SandboxExec, record: SandboxRecord, options: DesktopOptions = {}) {
    this.exec = exec;
    this.record = record;
    this.log = options.log ?? (() => {});
    this.find = options.findUtility;
    this.accessibility = new Accessibility(exec, () => this.record, options.findUtility);
    const vncShouldRun = { wanted: () => this.wanted && this.running, display: () => this.display, log: this.log };
    this.vnc = new Vnc(exec, () => this.record, options.findUtility, vncShouldRun);
  }

  /** Host path of the memory-mapped screen (XWD format). */
  get framebuffer(): string {
    return join(this.hostFbDir, 'Xvfb_screen0');
  }

  private get hostFbDir(): string {
    return join(this.exec.service.dirsOf(this.record.id).tmp, '.daytona-desktop');
  }

  get running(): boolean {
    return alive(this.processes.xvfb.child);
  }

  status(): 'active' | 'partial' | 'inactive' {
    const up = Object.values(this.processes).filter((managed) => alive(managed.child)).length;
    return up === Object.keys(this.processes).length ? 'active' : up > 0 ? 'partial' : 'inactive';
  }

  processStatus(): Record<DesktopProcessName, ProcessStatus> {
    const entry = (name: DesktopProcessName): ProcessStatus => {
      const child = this.processes[name].child;
      return { running: alive(child), priority: PRIORITIES[name], autoRestart: true, ...(alive(child) ? { pid: child.pid! } : {}) };
    };
    return { xvfb: entry('xvfb'), openbox: entry('openbox') };
  }

  process(name: string): ManagedProcess {
    if (name !== 'xvfb' && name !== 'openbox') {
      throw notFound(
        `Process ${name} not found: the local provider's desktop runs xvfb and openbox (no xfce4), with x11vnc and novnc where VNC is offered.`,
        'PROCESS_NOT_FOUND',
      );
    }
    return this.processes[name];
  }

  /** Starts whatever is not running; resolves once the display accepts clients and the window manager is up. */
  start(): Promise<void> {
    this.wanted = true;
    this.starting ??= this.startNow().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startNow(): Promise<void> {
    const missing = missingDesktopPackages(this.find);
    if (missing.length > 0) {
      throw new ApiError(
        500,
        `The desktop needs ${missing.join(', ')}, not installed on this machine: install the Debian package${missing.length > 1 ? 's' : ''} (sudo apt-get install ${missing.join(' ')}) and call computer_use_start again.`,
      );
    }
    if (!this.running) {
      // The accessibility bus and the VNC server belong to a display: a new display gets new ones.
      await Promise.all([this.accessibility.stop(), this.vnc.stop()]);
      await this.startXvfb();
    }
    if (!alive(this.processes.openbox.child)) await this.startWindowManager();
    await Promise.all([this.accessibility.start(this.display), this.vnc.start(this.display)]);
  }

  private async startXvfb(): Promise<void> {
    const resolution = /^\d{3,4}x\d{3,4}$/.test(this.record.env.VNC_RESOLUTION ?? '')
      ? this.record.env.VNC_RESOLUTION!
      : DEFAULT_RESOLUTION;
    const dirs = this.exec.service.dirsOf(this.record.id);
    await rm(this.hostFbDir, { recursive: true, force: true });
    await mkdir(this.hostFbDir, { recursive: true, mode: 0o700 });
    this.display = `:${this.freeDisplayNumber()}`;
    const socket = this.socketPath();
    const fbDir = this.exec.runner.visiblePath('/tmp/.daytona-desktop', dirs);
    const child = await this.spawn('xvfb', [
      'Xvfb',
      this.display,
      '-screen',
      '0',
      `${resolution}x24`,
      '-fbdir',
      fbDir,
      '-nolisten',
      'tcp',
      '-nolisten',
      'local',
    ]);
    await until(() => !alive(child) || (existsSync(socket) && existsSync(this.framebuffer)), READY_LIMIT_MS);
    if (!alive(child) || !existsSync(socket)) {
      const how = endedHow(child);
      await this.stop();
      throw new ApiError(500, `Xvfb did not start (${how}): ${this.processes.xvfb.errors.trim().slice(-500) || 'no output'}`);
    }
    [this.width, this.height] = resolution.split('x').map(Number) as [number, number];
  }

  private async startWindowManager(): Promise<void> {
    // One more try when it exits before it is ready (seen once on a loaded machine, with no output).
    let child: ChildProcess | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      child = await this.spawn('openbox', ['openbox', '--sm-disable', '--startup', '/bin/true']);
      // The window manager is ready once it has claimed the screen (EWMH's _NET_SUPPORTING_WM_CHECK on the root window).
      const deadline = Date.now() + READY_LIMIT_MS;
      while (alive(child) && Date.now() < deadline) {
        const probe = await this.run(['xprop', '-root', '_NET_SUPPORTING_WM_CHECK']);
        if (probe.exitCode === 0 && /window id/.test(probe.output)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (alive(child)) break;
    }
    throw new ApiError(
      500,
      `The openbox window manager did not start (${endedHow(child)}): ${this.processes.openbox.errors.trim().slice(-500) || 'no output'}`,
    );
  }

  /** Runs a short X client in the sandbox, on this display. */
  run(argv: string[], stdin?: string) {
    return runInSandbox(this.exec, this.record, argv, { env: { DISPLAY: this.display }, timeoutSec: 15, stdin });
  }

  private async spawn(name: DesktopProcessName, argv: string[]): Promise<ChildProcess> {
    const managed = this.processes[name];
    const child = await spawnInSandbox(this.exec, this.record, argv, { env: { DISPLAY: this.display } }, ['ignore', 'pipe', 'pipe']);
    managed.child = child;
    keepOutput(child, managed);
    child.once('exit', (code, signal) => this.exited(name, child, signal ?? `code ${code}`));
    return child;
  }

  /** A process ended: when nobody asked for it, the desktop is brought back (as Daytona's supervisor does), and the log says so. */
  private exited(name: DesktopProcessName, child: ChildProcess, how: string): void {
    if (name === 'xvfb') this.removeStaleSocket();
    if (this.ending.has(child) || !this.wanted || this.processes[name].child !== child) return;
    const who = `the desktop of sandbox ${this.record.id}`;
    // One crash often takes the other process with it (openbox loses its display), in either order: each exit
    // is logged, one restart brings both back, and the burst counts restarts.
    if (this.restartTimer) {
      this.log(`${who}: ${name} exited unexpectedly (${how}); the restart on its way brings it back too`);
      return;
    }
    const now = Date.now();
    this.crashes = [...this.crashes.filter((at) => now - at < RESTART_WINDOW_MS), now];
    if (this.crashes.length > RESTART_BURST) {
      this.log(
        `${who}: ${name} exited (${how}) ${this.crashes.length} times within a minute; not restarting it again (computer_use_start starts it)`,
      );
      this.wanted = false;
      return;
    }
    const delay = backoffDelay(RESTART_BACKOFF, this.crashes.length);
    this.log(`${who}: ${name} exited unexpectedly (${how}); restarting it in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.restartAfterCrash(who);
    }, delay);
    this.restartTimer.unref?.();
  }

  private async restartAfterCrash(who: string): Promise<void> {
    if (!this.wanted || !this.sandboxRunning()) return;
    try {
      // Without its display the window manager is useless: both start again, display first.
      if (!this.running) await this.stopProcess('openbox');
      await this.start();
      this.log(`${who}: restarted (display ${this.display}, xvfb ${this.running ? 'running' : 'not running'})`);
    } catch (error) {
      this.log(`${who}: could not restart it: ${(error as Error).message}`);
    }
  }

  private sandboxRunning(): boolean {
    try {
      return this.exec.service.get(this.record.id).state === 'started';
    } catch {
      return false;
    }
  }

  /** A killed Xvfb leaves its socket and lock file behind; without them the same display number is free again. */
  private removeStaleSocket(): void {
    const tmp = this.exec.runner.isolation === 'none' ? '/tmp' : this.exec.service.dirsOf(this.record.id).tmp;
    void rm(this.socketPath(), { force: true }).catch(() => {});
    void rm(join(tmp, `.X${this.display.slice(1)}-lock`), { force: true }).catch(() => {});
  }

  /** No more restarts: the sandbox stopped, or the provider is closing. */
  forget(): void {
    this.accessibility.forgetFiles();
    this.wanted = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  /** Ends one process (SIGTERM, then SIGKILL after a grace period). */
  async stopProcess(name: DesktopProcessName): Promise<void> {
    const child = this.processes[name].child;
    if (!alive(child)) return;
    this.ending.add(child);
    await endProcess(this.exec, child);
  }

  async restart(name: DesktopProcessName): Promise<void> {
    if (name === 'xvfb') await this.stopProcess('openbox');
    await this.stopProcess(name);
    await this.start();
  }

  /** Ends the window manager, then the display; its socket and screen file go with it. */
  async stop(): Promise<void> {
    this.forget();
    await Promise.all([this.accessibility.stop(), this.vnc.stop()]);
    await this.stopProcess('openbox');
    await this.stopProcess('xvfb');
    await rm(this.hostFbDir, { recursive: true, force: true });
  }

  /** Where Xvfb's socket appears on the host: the sandbox's own /tmp, or the host's for unisolated sandboxes. */
  private socketPath(display = this.display): string {
    return join(this.x11Dir(), `X${display.slice(1)}`);
  }

  private x11Dir(): string {
    const tmp = this.exec.runner.isolation === 'none' ? '/tmp' : this.exec.service.dirsOf(this.record.id).tmp;
    return join(tmp, '.X11-unix');
  }

  /**
   * The lowest display number free where this sandbox's X clients look: its /tmp (no socket, no lock file)
   * and, for sandboxes that share the host's network or are not isolated, the host's abstract sockets.
   */
  private freeDisplayNumber(): number {
    const tmp = this.exec.runner.isolation === 'none' ? '/tmp' : this.exec.service.dirsOf(this.record.id).tmp;
    let abstract = '';
    if (this.exec.runner.network === 'shared') {
      try {
        abstract = readFileSync('/proc/net/unix', 'utf8');
      } catch {
        // no /proc: only the files count
      }
    }
    for (let n = 0; n < 1000; n++) {
      if (existsSync(this.socketPath(`:${n}`)) || existsSync(join(tmp, `.X${n}-lock`))) continue;
      if (abstract.includes(`@/tmp/.X11-unix/X${n}\n`)) continue;
      return n;
    }
    throw new ApiError(500, 'No free X display number in this sandbox: stop other X servers it runs.');
  }
}
