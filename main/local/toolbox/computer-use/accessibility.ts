import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, type DaemonErrorCode } from '../../errors.ts';
import type { SandboxRecord } from '../../sandbox-record.ts';
import { findUtility } from '../../sandbox-runner/probe.ts';
import { until } from '../../sandbox-runner/processes.ts';
import { runInSandbox, spawnInSandbox, type SandboxExec } from '../run-command.ts';
import { ACCESSIBILITY_HELPER } from './accessibility-helper.ts';
import { alive, endProcess } from './desktop-process.ts';

const READY_LIMIT_MS = 10_000;
const LOG_LIMIT = 16 * 1024;
/** A tree walk visits at most 20000 nodes (as Daytona's); each is a few D-Bus calls, each limited to 5 s. */
const HELPER_TIMEOUT_SEC = 60;

/** at-spi2-core's bus launcher: Debian 12 and later put it in /usr/libexec, older releases under /usr/lib/at-spi2-core. */
const LAUNCHER = ['/usr/libexec/at-spi-bus-launcher', '/usr/lib/at-spi2-core/at-spi-bus-launcher'];

type Find = (command: string) => string | undefined;

/** Where a program accessibility needs is installed: at-spi-bus-launcher is not on PATH. */
export const findAccessibilityCommand: Find = (command) =>
  command === 'at-spi-bus-launcher' ? LAUNCHER.find((path) => existsSync(path)) : findUtility(command);

/** Whether a python3 can import python3-dbus's module, by interpreter path (asked once each). */
const pythonDbus = new Map<string, boolean>();

/** Which Debian packages accessibility still needs on this machine (empty when none). */
export function missingAccessibilityPackages(find: Find = findAccessibilityCommand): string[] {
  const missing: string[] = [];
  if (!find('at-spi-bus-launcher')) missing.push('at-spi2-core');
  if (!find('dbus-daemon')) missing.push('dbus-daemon');
  const python = find('python3');
  if (python && !pythonDbus.has(python)) {
    pythonDbus.set(python, spawnSync(python, ['-I', '-c', 'import dbus'], { stdio: 'ignore', timeout: 10_000 }).status === 0);
  }
  if (!python || !pythonDbus.get(python)) missing.push(...(python ? [] : ['python3']), 'python3-dbus');
  return missing;
}

const NOT_RUNNING = 'the desktop is not running: start it first (computer_use_start, or computerUse.start() in the SDK)';

/** A failure of the helper, by kind, as Daytona's daemon answers it (apps/daemon/pkg/toolbox/computeruse/accessibility.go). */
const FAILURES: Record<string, { status: number; code: DaemonErrorCode }> = {
  unavailable: { status: 503, code: 'A11Y_UNAVAILABLE' },
  node_not_found: { status: 404, code: 'A11Y_NODE_NOT_FOUND' },
  no_root: { status: 404, code: 'A11Y_NO_ACCESSIBLE_ROOT' },
  not_supported: { status: 400, code: 'A11Y_ACTION_NOT_SUPPORTED' },
  invalid_scope: { status: 400, code: 'A11Y_INVALID_SCOPE' },
  invalid_request: { status: 400, code: 'A11Y_INVALID_REQUEST' },
  internal: { status: 500, code: 'A11Y_INTERNAL' },
};

export type AccessibilityRequest =
  | { op: 'tree'; scope?: string | undefined; pid?: number | undefined; maxDepth: number }
  | {
      op: 'find';
      scope?: string | undefined;
      pid?: number | undefined;
      role?: string | undefined;
      name?: string | undefined;
      nameMatch?: string | undefined;
      states?: string[] | undefined;
      limit?: number | undefined;
    }
  | { op: 'focus'; id: string }
  | { op: 'invoke'; id: string; action?: string | undefined }
  | { op: 'value'; id: string; value?: string | undefined };

/**
 * One sandbox desktop's accessibility (AT-SPI): a D-Bus session bus of its own and at-spi2-core's bus
 * launcher on it, both started inside the sandbox like its other commands. Their sockets are files in the
 * sandbox's own /tmp (never abstract sockets, which every sandbox sharing the host's network would see), so
 * no other sandbox can reach them. GTK and Qt programs started in the sandbox find the accessibility bus
 * through DBUS_SESSION_BUS_ADDRESS, which the sandbox's commands get while the desktop runs.
 */
export class Accessibility {
  private session: ChildProcess | undefined;
  private launcher: ChildProcess | undefined;
  private errors = '';
  /** Why accessibility is unavailable (missing packages, a failed start); undefined while it runs. */
  private unavailable: string | undefined = NOT_RUNNING;

  private readonly exec: SandboxExec;
  private readonly record: () => SandboxRecord;
  private readonly find: Find;

  constructor(exec: SandboxExec, record: () => SandboxRecord, find: Find = findAccessibilityCommand) {
    this.exec = exec;
    this.record = record;
    this.find = find;
  }

  get running(): boolean {
    return alive(this.session) && alive(this.launcher);
  }

  /** The directory of the buses' sockets as the sandbox's commands see it (the host's /tmp for unisolated ones, per sandbox). */
  private get dir(): string {
    return this.exec.runner.isolation === 'none' ? `/tmp/.daytona-a11y-${this.record().id}` : '/tmp/.daytona-a11y';
  }

  private get hostDir(): string {
    return this.exec.runner.isolation === 'none' ? this.dir : join(this.exec.service.dirsOf(this.record().id).tmp, '.daytona-a11y');
  }

  /** DBUS_SESSION_BUS_ADDRESS for the sandbox's commands while the bus runs. */
  get sessionBusAddress(): string | undefined {
    return alive(this.session) ? `unix:path=${this.dir}/bus` : undefined;
  }

  /** Starts the buses on the given display; a failure leaves the desktop running and says why on each accessibility call. */
  async start(display: string): Promise<void> {
    if (this.running) return;
    await this.stop();
    const missing = missingAccessibilityPackages(this.find);
    if (missing.length > 0) {
      this.unavailable = `accessibility needs ${missing.join(', ')}, not installed on this machine: install the Debian package${missing.length > 1 ? 's' : ''} (sudo apt-get install ${missing.join(' ')}) and restart the desktop (computer_use_stop, then computer_use_start)`;
      return;
    }
    try {
      await this.startNow(display);
      this.unavailable = undefined;
    } catch (error) {
      await this.stop();
      this.unavailable = `its AT-SPI bus did not start (${error instanceof Error ? error.message : String(error)}): restart the desktop (computer_use_stop, then computer_use_start)`;
    }
  }

  private async startNow(display: string): Promise<void> {
    await rm(this.hostDir, { recursive: true, force: true });
    // The runtime directory holds the accessibility bus's socket (at-spi/bus_N): private to the sandbox's user.
    const env = { DISPLAY: display, XDG_RUNTIME_DIR: this.dir };
    await mkdir(this.hostDir, { recursive: true, mode: 0o700 });
    const busSocket = join(this.hostDir, 'bus');
    this.session = await this.spawn(['dbus-daemon', '--session', '--nofork', '--nopidfile', `--address=unix:path=${this.dir}/bus`], env);
    await until(() => !alive(this.session) || existsSync(busSocket), READY_LIMIT_MS);
    if (!alive(this.session) || !existsSync(busSocket)) throw new Error(`dbus-daemon: ${this.errors.trim().slice(-300) || 'no output'}`);
    const launcher = this.find('at-spi-bus-launcher')!;
    this.launcher = await this.spawn([launcher, '--launch-immediately'], { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${this.dir}/bus` });
    const atspiDir = join(this.hostDir, 'at-spi');
    const hasSocket = () => existsSync(atspiDir) && readdirSync(atspiDir).length > 0;
    await until(() => !alive(this.launcher) || hasSocket(), READY_LIMIT_MS);
    if (!alive(this.launcher) || !hasSocket()) throw new Error(`at-spi-bus-launcher: ${this.errors.trim().slice(-300) || 'no output'}`);
  }

  private async spawn(argv: string[], env: Record<string, string>): Promise<ChildProcess> {
    const child = await spawnInSandbox(this.exec, this.record(), argv, { env }, ['ignore', 'ignore', 'pipe']);
    const keep = (chunk: Buffer) => {
      this.errors = (this.errors + chunk.toString('utf8')).slice(-LOG_LIMIT);
    };
    child.stderr?.on('data', keep);
    child.once('error', (error) => keep(Buffer.from(`${error.message}\n`)));
    return child;
  }

  /** Ends the launcher (with the accessibility bus and registry it started), then the session bus. */
  async stop(): Promise<void> {
    for (const child of [this.launcher, this.session]) {
      if (alive(child)) await endProcess(this.exec, child);
    }
    this.launcher = this.session = undefined;
    this.unavailable = NOT_RUNNING;
    this.errors = '';
    await rm(this.hostDir, { recursive: true, force: true }).catch(() => {});
  }

  /**
   * The sandbox's processes are gone (stopped, deleted, the provider closing): its sockets' directory goes
   * too, now (an unisolated sandbox's is in the host's /tmp, which nothing else would clean).
   */
  forgetFiles(): void {
    rmSync(this.hostDir, { recursive: true, force: true });
  }

  /** Runs one request through the helper in the sandbox; Daytona's error shape when it fails. */
  async call(request: AccessibilityRequest): Promise<Record<string, unknown>> {
    if (!this.running || this.unavailable) {
      throw new ApiError(
        503,
        `Accessibility (AT-SPI) is unavailable in this sandbox: ${this.unavailable ?? 'its AT-SPI bus stopped: restart the desktop (computer_use_stop, then computer_use_start)'}. Meanwhile, find elements with a screenshot (computer_use_screenshot) and act with the mouse and keyboard tools.`,
        'A11Y_UNAVAILABLE',
      );
    }
    // The request (which may hold a value to type, a password) goes on stdin, never in argv.
    const result = await runInSandbox(this.exec, this.record(), [this.find('python3')!, '-I', '-c', ACCESSIBILITY_HELPER], {
      env: { DBUS_SESSION_BUS_ADDRESS: this.sessionBusAddress! },
      stdin: JSON.stringify(request),
      timeoutSec: HELPER_TIMEOUT_SEC,
    });
    let answer: { result?: Record<string, unknown>; error?: { kind: string; message: string } };
    try {
      answer = JSON.parse(result.stdout) as typeof answer;
    } catch {
      throw new ApiError(
        500,
        `The accessibility helper failed (exit ${result.exitCode}): ${result.stderr.trim().slice(-500) || 'no output'}`,
        'A11Y_INTERNAL',
      );
    }
    if (answer.error) {
      const failure = FAILURES[answer.error.kind] ?? FAILURES.internal!;
      throw new ApiError(failure.status, answer.error.message, failure.code);
    }
    return answer.result ?? {};
  }
}
