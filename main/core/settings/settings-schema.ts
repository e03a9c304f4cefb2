import { z } from 'zod';
import { NOTIFICATION_KINDS, TOOL_GROUPS, type NotificationKind, type ToolGroup } from '../../../preload/contract.ts';

/**
 * The settings file, version 1. Every object is loose: keys this version does not know (written by a newer
 * version, or by hand) are kept as they are and written back. A newer version may add keys and profile kinds,
 * but never gives an existing key a new meaning: that would need a new key (or a version bump with a migration).
 * Secrets are never here: API keys and tokens live in the OS keychain (main/core/secrets/).
 */
export const SETTINGS_VERSION = 1;
export const DEFAULT_CLOUD_API_URL = 'https://app.daytona.io/api';
export const LOCAL_PROFILE = 'local';
export const CLOUD_PROFILE = 'cloud';

// Defined once in the window's contract, the floor below main/core (CONTRIBUTING.md, "Floors").
export { NOTIFICATION_KINDS, TOOL_GROUPS, type NotificationKind, type ToolGroup } from '../../../preload/contract.ts';

/** Letters, digits, `-` and `_`: it names a keychain entry and appears in commands (`--profile NAME`). */
export const profileNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'a profile name is 1-40 letters, digits, - or _, starting with a letter or digit');

export const apiUrlSchema = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && !url.search && !url.hash;
    } catch {
      return false;
    }
  }, 'an API URL is http(s)://host[:port]/path, without credentials, query or fragment')
  .transform((value) => value.replace(/\/+$/, ''));

export const cloudProfileSchema = z.looseObject({
  kind: z.literal('cloud'),
  apiUrl: apiUrlSchema.default(DEFAULT_CLOUD_API_URL),
  /** Region for new sandboxes (Daytona's `target`); unset means the organization's default. */
  target: z.string().min(1).max(64).optional(),
});

/** Sandboxes the local provider keeps started ahead of need unless settings say otherwise, and at most. */
export const DEFAULT_WARM_POOL_SIZE = 2;
export const MAX_WARM_POOL_SIZE = 10;

export const localProfileSchema = z.looseObject({
  kind: z.literal('local'),
  /**
   * Sandboxes the local provider keeps started ahead of need, so a create takes one at once (its warm pool);
   * 0 turns it off. Unset: DEFAULT_WARM_POOL_SIZE. Each costs about one idle sandbox.
   */
  warmPoolSize: z.number().int().min(0).max(MAX_WARM_POOL_SIZE).optional(),
});

/** The local profile's warm pool size from loaded settings, when set. */
export function localWarmPoolSize(settings: { profiles: Record<string, { kind: string }> }): number | undefined {
  const parsed = localProfileSchema.safeParse(settings.profiles[LOCAL_PROFILE]);
  return parsed.success ? parsed.data.warmPoolSize : undefined;
}

export const knownProfileSchema = z.discriminatedUnion('kind', [cloudProfileSchema, localProfileSchema]);
/** A profile of a kind this version does not know: kept as it is, never used. */
export const foreignProfileSchema = z.looseObject({ kind: z.string().min(1) });

export type CloudProfile = z.infer<typeof cloudProfileSchema>;
export type LocalProfile = z.infer<typeof localProfileSchema>;
export type KnownProfile = z.infer<typeof knownProfileSchema>;
export type ForeignProfile = z.infer<typeof foreignProfileSchema>;
export type Profile = KnownProfile | ForeignProfile;

const interval = (defaultMs: number) => z.number().int().min(1_000).max(3_600_000).default(defaultMs);

/** Everything except the profiles. */
export const settingsBaseSchema = z.looseObject({
  version: z.number().int().min(1).default(SETTINGS_VERSION),
  activeProfile: profileNameSchema.default(LOCAL_PROFILE),
  mcp: z
    .looseObject({
      /** Port of the MCP HTTP server on 127.0.0.1; 0 picks a free one (the supervisor then keeps it across restarts). */
      port: z.number().int().min(0).max(65_535).default(0),
      /** Tool groups offered to AI clients (clients cap tool counts: switch off what you do not use). */
      toolGroups: z
        .looseObject(
          Object.fromEntries(TOOL_GROUPS.map((group) => [group, z.boolean().default(true)])) as Record<
            ToolGroup,
            z.ZodDefault<z.ZodBoolean>
          >,
        )
        .prefault({}),
      /**
       * The one folder on this computer that file_download and file_upload may save to or read from (their
       * `localPath`); unset means a `Daytona` folder in the user's Downloads (main/mcp/transfer-folder.ts).
       */
      transferFolder: z
        .string()
        .regex(/^(\/|[A-Za-z]:[\\/])/, 'the transfer folder is an absolute path')
        .optional(),
      /**
       * With no tray running, AI clients' bridges share one server; it stops this many minutes after its last
       * client left (0: at once). Long enough for a client to restart without the local sandboxes stopping.
       */
      sharedGraceMinutes: z.number().int().min(0).max(1440).default(10),
    })
    .prefault({}),
  /** Whether each kind of alert raises an OS notification. */
  notifications: z
    .looseObject(
      Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, z.boolean().default(true)])) as Record<
        NotificationKind,
        z.ZodDefault<z.ZodBoolean>
      >,
    )
    .prefault({}),
  polling: z
    .looseObject({
      /** Fallback poll of the sandbox list while the window is open (events arrive over Socket.IO anyway). */
      sandboxesMs: interval(5_000),
      /** The same while the window is hidden. */
      sandboxesHiddenMs: interval(60_000),
      /** The credit balance (signed-in cloud profiles only). */
      balanceMs: interval(300_000),
    })
    .prefault({}),
  /** Warn when the credit balance falls below this many US cents. */
  lowBalanceThresholdCents: z.number().int().min(0).default(500),
  startAtLogin: z.boolean().default(false),
});

/** The whole file; each profile is then checked against its own kind's schema (settings-parse.ts). */
export const settingsSchema = settingsBaseSchema.extend({
  profiles: z
    .record(profileNameSchema, foreignProfileSchema)
    .default(() => ({ [CLOUD_PROFILE]: { kind: 'cloud', apiUrl: DEFAULT_CLOUD_API_URL }, [LOCAL_PROFILE]: { kind: 'local' } })),
});

export type Settings = z.infer<typeof settingsBaseSchema> & { profiles: Record<string, Profile> };

export function isKnownProfile(profile: Profile | undefined): profile is KnownProfile {
  return profile?.kind === 'cloud' || profile?.kind === 'local';
}
