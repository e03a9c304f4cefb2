import type { SandboxRecord } from '../../sandbox-record.ts';
import type { SandboxExec } from '../run-command.ts';
import { Desktop, type DesktopOptions } from './desktop.ts';
import { Recordings } from './recordings.ts';

/** The desktops of every sandbox, created on first use. */
export class Desktops {
  private readonly desktops = new Map<string, Desktop>();
  private readonly exec: SandboxExec;
  private readonly options: DesktopOptions;
  readonly recordings: Recordings;

  constructor(exec: SandboxExec, options: DesktopOptions = {}) {
    this.exec = exec;
    this.options = options;
    this.recordings = new Recordings(exec);
  }

  of(record: SandboxRecord): Desktop {
    let desktop = this.desktops.get(record.id);
    if (!desktop) {
      desktop = new Desktop(this.exec, record, this.options);
      this.desktops.set(record.id, desktop);
    }
    desktop.record = record;
    return desktop;
  }

  /** The sandbox's desktop while its display runs. */
  running(sandboxId: string): Desktop | undefined {
    const desktop = this.desktops.get(sandboxId);
    return desktop?.running ? desktop : undefined;
  }

  /** The sandbox's processes are gone (stopped, archived, deleted): its desktop is not brought back. */
  forget(sandboxId: string): void {
    this.desktops.get(sandboxId)?.forget();
  }

  /** The provider is closing: no desktop is restarted while its sandboxes' processes end. */
  forgetAll(): void {
    for (const desktop of this.desktops.values()) desktop.forget();
  }

  /**
   * The variables commands started in the sandbox get while its desktop runs: DISPLAY, as Daytona sets it,
   * and the desktop's own D-Bus session bus, where GTK and Qt programs find the accessibility bus.
   */
  envOf(sandboxId: string): Record<string, string> {
    const desktop = this.running(sandboxId);
    if (!desktop) return {};
    const bus = desktop.accessibility.sessionBusAddress;
    return { DISPLAY: desktop.display, ...(bus ? { DBUS_SESSION_BUS_ADDRESS: bus } : {}) };
  }
}
