import type { BillingView as CoreBillingView } from '../core/billing/billing-service.ts';
import type { ChangeResult, ClientStatus } from '../core/clients/types.ts';
import type { SupervisorStatus } from '../core/supervisor/process-supervisor.ts';
import type { WatcherStatus } from '../core/watcher/sandbox-watcher.ts';
import type { BillingView, ClientChange, ClientView, ServerView, WatcherView } from '../../preload/contract.ts';
import { staleReasonText, type StaleReason } from '../core/clients/stale-launch.ts';

/**
 * main/core's values as the window's contract shows them. preload/contract.ts stands alone (it imports nothing
 * from main/), so the conversions live here; each is typed, so it fails to compile when the two part ways.
 */
/** Main can hand the billing service's view to the window as it is. */
export const toBillingView = (view: CoreBillingView): BillingView => view;
/** The watcher's status fits the contract once its `undefined`s are dropped. */
export const toWatcherView = (status: WatcherStatus): WatcherView => ({
  state: status.state,
  events: status.events,
  ...(status.lastListingAt !== undefined ? { lastListingAt: status.lastListingAt } : {}),
  ...(status.problem ? { problem: status.problem } : {}),
});
/** A supervisor status plus where it listens. */
export const toServerView = (status: SupervisorStatus, port?: number): ServerView => ({
  state: status.state,
  since: status.since,
  failures: status.failures,
  ...(status.reason !== undefined ? { reason: status.reason } : {}),
  ...(status.retryAt !== undefined ? { retryAt: status.retryAt } : {}),
  ...(status.pid !== undefined ? { pid: status.pid } : {}),
  ...(port !== undefined && status.state === 'running' ? { port, url: `http://127.0.0.1:${port}/mcp` } : {}),
});
export const toClientView = (status: ClientStatus, applyHint: string): ClientView => ({
  id: status.id,
  name: status.name,
  installed: status.installed,
  connected: status.connected,
  entry: status.entry,
  current: status.current,
  configPath: status.configPath,
  applyHint,
  ...(status.problem !== undefined ? { problem: status.problem } : status.stale ? { problem: staleProblem(status.stale) } : {}),
  tools: status.tools,
  ...(status.toolCap ? { toolCap: status.toolCap } : {}),
});
export const toClientChange = (result: ChangeResult, applyHint: string): ClientChange => ({ ...result, applyHint });

/** The clients view says when an entry of ours will stop working (one the start-up repair could not fix). */
function staleProblem(reason: StaleReason): string {
  return `This connection will stop working: ${staleReasonText(reason)}. Daytona Tray repairs it when it starts from where it is installed; or connect again.`;
}
