import { z } from 'zod';
import type { BillingView as CoreBillingView } from '../main/core/billing/billing-service.ts';
import type { ChangeResult, ClientStatus } from '../main/core/clients/types.ts';
import { CLIENT_IDS as CORE_CLIENT_IDS } from '../main/core/clients/types.ts';
import { ALERT_KINDS as CORE_ALERT_KINDS, TOOL_GROUPS as CORE_TOOL_GROUPS, apiUrlSchema, profileNameSchema } from '../main/core/settings/settings-schema.ts';
import type { SupervisorStatus } from '../main/core/supervisor/process-supervisor.ts';
import type { WatcherStatus } from '../main/core/watcher/sandbox-watcher.ts';
import {
  CLIENT_IDS,
  NOTIFICATION_KINDS,
  TOOL_GROUPS,
  type BillingView,
  type BridgeMethodName,
  type ClientChange,
  type ClientView,
  type RequestOf,
  type ServerView,
  type WatcherView,
} from './contract.ts';

/**
 * zod schemas for every request of the contract (main parses each payload with these before calling a
 * service), plus compile-time checks that the contract's mirrored shapes still fit main/core's types.
 * Main only: the renderer never loads zod.
 */

const sandboxId = z.string().min(1).max(200);
const clientId = z.enum(CLIENT_IDS);
const toolGroup = z.enum(TOOL_GROUPS);
const notificationKind = z.enum(NOTIFICATION_KINDS);
const noRequest = z.undefined();

export const requestSchemas = {
  getState: noRequest,
  saveApiKey: z.strictObject({
    // Daytona keys are short tokens; the cap keeps a pasted file out of the keychain.
    apiKey: z.string().trim().min(1, 'Paste your Daytona API key.').max(512),
    apiUrl: apiUrlSchema.optional(),
    target: z.string().min(1).max(64).optional(),
    profile: profileNameSchema.optional(),
  }),
  removeApiKey: z.strictObject({ profile: profileNameSchema.optional() }),
  useLocalProvider: noRequest,
  switchProfile: z.strictObject({ profile: profileNameSchema }),
  updateProfile: z.strictObject({
    profile: profileNameSchema.optional(),
    apiUrl: apiUrlSchema.optional(),
    target: z.string().min(1).max(64).nullable().optional(),
  }),
  openDashboard: z.strictObject({ page: z.enum(['home', 'keys', 'billing']) }),
  signIn: noRequest,
  cancelSignIn: noRequest,
  signOut: noRequest,
  startSandbox: z.strictObject({ id: sandboxId }),
  stopSandbox: z.strictObject({ id: sandboxId }),
  deleteSandbox: z.strictObject({ id: sandboxId }),
  openPreview: z.strictObject({ id: sandboxId, port: z.number().int().min(1).max(65_535) }),
  refreshSandboxes: noRequest,
  copyText: z.strictObject({ text: z.string().min(1).max(4096) }),
  refreshBalance: noRequest,
  connectClient: z.strictObject({ id: clientId, force: z.boolean().optional() }),
  disconnectClient: z.strictObject({ id: clientId, force: z.boolean().optional() }),
  previewClientSetup: z.strictObject({ id: clientId, action: z.enum(['connect', 'disconnect']) }),
  refreshClients: noRequest,
  restartServer: noRequest,
  readServerLog: z.strictObject({ limit: z.number().int().min(1).max(2000).optional() }),
  updateSettings: z.strictObject({
    toolGroups: z.partialRecord(toolGroup, z.boolean()).optional(),
    notifications: z.partialRecord(notificationKind, z.boolean()).optional(),
    lowBalanceThresholdCents: z.number().int().min(0).max(100_000_000).optional(),
    startAtLogin: z.boolean().optional(),
    mcpPort: z.number().int().min(0).max(65_535).optional(),
  }),
} satisfies { [K in BridgeMethodName]: z.ZodType<RequestOf<K>, unknown> };

/** What a parsed request is (the schema's output; trimmed key, normalised URL). */
export type ParsedRequest<K extends BridgeMethodName> = z.output<(typeof requestSchemas)[K]>;

/** Parses a method's payload; the error is the contract's `bad-request` value, naming the fields. */
export function parseRequest<K extends BridgeMethodName>(
  method: K,
  payload: unknown,
): { ok: true; value: ParsedRequest<K> } | { ok: false; error: { code: 'bad-request'; message: string } } {
  const parsed = (requestSchemas[method] as unknown as z.ZodType<ParsedRequest<K>>).safeParse(payload);
  if (parsed.success) return { ok: true, value: parsed.data };
  const fields = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`).join('; ');
  // Issue messages name fields and rules, never values, so a mistyped key is not echoed back.
  return { ok: false, error: { code: 'bad-request', message: `The window sent an invalid ${method} request (${fields}). Reopen the window and try again.` } };
}

// ---------------------------------------------------------------------------------------------------------
// Compile-time drift checks: each line fails to compile when main/core and the contract part ways.

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const check = <T extends true>(): T => true as T;
check<Same<(typeof TOOL_GROUPS)[number], (typeof CORE_TOOL_GROUPS)[number]>>();
check<Same<(typeof NOTIFICATION_KINDS)[number], (typeof CORE_ALERT_KINDS)[number]>>();
check<Same<(typeof CLIENT_IDS)[number], (typeof CORE_CLIENT_IDS)[number]>>();
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
  ...(status.problem !== undefined ? { problem: status.problem } : {}),
});
export const toClientChange = (result: ChangeResult, applyHint: string): ClientChange => ({ ...result, applyHint });
