import { z } from 'zod';
import { apiUrlSchema, MAX_WARM_POOL_SIZE, profileNameSchema } from '../core/settings/settings-schema.ts';
import { CLIENT_IDS, NOTIFICATION_KINDS, TOOL_GROUPS, type BridgeMethodName, type RequestOf } from '../../preload/contract.ts';

/**
 * zod schemas for every request of the contract (main parses each payload with these before calling a
 * service). Main only: the renderer never loads zod.
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
  openTerminal: z.strictObject({ id: sandboxId }),
  refreshSandboxes: noRequest,
  captureDesktop: z.strictObject({ id: sandboxId, size: z.enum(['thumbnail', 'large']) }),
  copyText: z.strictObject({ text: z.string().min(1).max(4096) }),
  refreshBalance: noRequest,
  connectClient: z.strictObject({ id: clientId, force: z.boolean().optional(), tools: z.array(toolGroup).min(1).optional() }),
  disconnectClient: z.strictObject({ id: clientId, force: z.boolean().optional() }),
  previewClientSetup: z.strictObject({
    id: clientId,
    action: z.enum(['connect', 'disconnect']),
    tools: z.array(toolGroup).min(1).optional(),
  }),
  refreshClients: noRequest,
  restartServer: noRequest,
  readServerLog: z.strictObject({ limit: z.number().int().min(1).max(2000).optional() }),
  openLogFile: noRequest,
  updateSettings: z.strictObject({
    toolGroups: z.partialRecord(toolGroup, z.boolean()).optional(),
    notifications: z.partialRecord(notificationKind, z.boolean()).optional(),
    lowBalanceThresholdCents: z.number().int().min(0).max(100_000_000).optional(),
    startAtLogin: z.boolean().optional(),
    mcpPort: z.number().int().min(0).max(65_535).optional(),
    transferFolder: z.string().trim().min(1, 'Type a folder.').max(4096).nullable().optional(),
    sharedGraceMinutes: z.number().int().min(0).max(1440).optional(),
    warmPoolSize: z.number().int().min(0).max(MAX_WARM_POOL_SIZE).optional(),
  }),
  pickTransferFolder: noRequest,
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
  return {
    ok: false,
    error: { code: 'bad-request', message: `The window sent an invalid ${method} request (${fields}). Reopen the window and try again.` },
  };
}
