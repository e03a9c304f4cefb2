import { CLIENT_IDS, type AiClient, type ClientId } from '../core/clients/types.ts';
import { staleReasonText, type StaleReason } from '../core/clients/stale-launch.ts';
import type { DesktopPort } from './desktop-port.ts';

export interface ClientRepairDeps {
  clients: Record<ClientId, AiClient>;
  desktop: Pick<DesktopPort, 'notify'>;
  log(line: string): void;
  /**
   * Why this process cannot write lasting entries (it runs from a temporary copy itself, e.g. macOS App
   * Translocation): then nothing is rewritten, and the log says what to do instead.
   */
  cannotRepair?: string | undefined;
}

export interface ClientRepair {
  repaired: { id: ClientId; name: string; reason: StaleReason }[];
  failed: { id: ClientId; name: string; error: string }[];
}

/**
 * At every start: the AI clients whose entry of ours will not keep working (it points into an AppImage's mount,
 * a translocated app, app.asar, or at a program that is gone since the app moved or was updated) get it
 * rewritten as setup writes it now, their tool groups and the user's additions kept. Says so in the log and, when
 * anything was repaired, in one notification that opens the clients view.
 */
export async function repairStaleEntries(deps: ClientRepairDeps): Promise<ClientRepair> {
  const result: ClientRepair = { repaired: [], failed: [] };
  const stale: { client: AiClient; reason: StaleReason }[] = [];
  for (const id of CLIENT_IDS) {
    const client = deps.clients[id];
    const status = await client.status().catch(() => undefined);
    if (status?.entry === 'ours' && status.stale) stale.push({ client, reason: status.stale });
  }
  if (stale.length === 0) return result;
  if (deps.cannotRepair) {
    deps.log(
      `${stale.length} AI client entr${stale.length === 1 ? 'y' : 'ies'} will not keep working, left as they are: ${deps.cannotRepair}`,
    );
    return result;
  }
  for (const { client, reason } of stale) {
    try {
      await client.connect();
      result.repaired.push({ id: client.id, name: client.name, reason });
      deps.log(`repaired ${client.name}'s Daytona entry: ${staleReasonText(reason)}`);
    } catch (error) {
      const message = (error as Error).message;
      result.failed.push({ id: client.id, name: client.name, error: message });
      deps.log(`could not repair ${client.name}'s Daytona entry (${staleReasonText(reason)}): ${message}`);
    }
  }
  if (result.repaired.length > 0) {
    const names = result.repaired.map((entry) => entry.name).join(', ');
    deps.desktop.notify(
      {
        title: 'AI client connections repaired',
        body: `${names}: the Daytona entry pointed at a copy of the app that is gone or temporary; it now starts this installation. Restart ${result.repaired.length === 1 ? 'that client' : 'those clients'} if ${result.repaired.length === 1 ? 'it is' : 'they are'} running.`,
        buttons: [],
        click: { type: 'open-window', label: 'Open AI clients', target: { view: 'clients' } },
        view: 'clients',
        groupId: 'clients',
        urgency: 'normal',
      },
      () => {},
    );
  }
  return result;
}

export interface EntriesAtStartDeps extends ClientRepairDeps {
  desktop: Pick<DesktopPort, 'notify' | 'applicationsFolder'>;
  /** Puts in place what new entries run (an AppImage's launcher file) before any is written. */
  prepare?(): Promise<unknown>;
}

/**
 * What the app does with the clients' entries at every start: outside the Applications folder (macOS) it first
 * offers to move there (a move relaunches it, and that start goes on from here); then it puts the launcher in
 * place and repairs the entries of ours that will not keep working.
 */
export async function entriesAtStart(deps: EntriesAtStartDeps): Promise<ClientRepair | 'moved'> {
  const folder = deps.desktop.applicationsFolder;
  if (folder && !folder.isIn()) {
    const outcome = await folder.offerMove();
    deps.log(`Daytona Tray runs outside the Applications folder; moving it there: ${outcome}`);
    if (outcome === 'moved') return 'moved';
  }
  await deps.prepare?.();
  return repairStaleEntries(deps);
}
