import { SandboxDesiredState as SandboxDesiredStates } from '@daytona/api-client/src/models/sandbox-desired-state.js';
import { SandboxState as SandboxStates } from '@daytona/api-client/src/models/sandbox-state.js';
import { z } from 'zod';
import { daytonaValues } from '../core/daytona-api/daytona-values.ts';

/** Daytona's sandbox states, as its API client lists them; the local provider uses a subset. */
export const SANDBOX_STATES = daytonaValues(SandboxStates);
export type SandboxState = (typeof SANDBOX_STATES)[number];

export const SANDBOX_DESIRED_STATES = daytonaValues(SandboxDesiredStates);
export type SandboxDesiredState = (typeof SANDBOX_DESIRED_STATES)[number];

/** What the provider persists per sandbox (one JSON file each). */
export interface SandboxRecord {
  id: string;
  name: string;
  snapshot?: string;
  /** The image a create asked for (recorded, not pulled: the local provider runs on the host's system). */
  image?: string;
  user: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  public: boolean;
  networkBlockAll: boolean;
  networkAllowList?: string;
  cpu: number;
  gpu: number;
  memory: number;
  disk: number;
  state: SandboxState;
  desiredState: SandboxDesiredState;
  errorReason?: string;
  autoStopInterval: number;
  /** Minutes idle before the sandbox pauses (0: never); at most one of it and autoStopInterval is non-zero. */
  autoPauseInterval: number;
  autoArchiveInterval: number;
  autoDeleteInterval: number;
  /** The TTL's deadline: the sandbox is deleted then, whatever its state. */
  autoDestroyAt?: string;
  /** The sandbox this one was forked from (its parent, for the fork routes). */
  forkedFrom?: string;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
  /** Token for private preview links. */
  authToken: string;
  /** Volumes bound into the sandbox (their ids resolved at create). */
  volumes?: { volumeId: string; mountPath: string; subpath?: string | undefined }[];
  /** Environment variable name → secret name; values live in the keychain, never here. */
  secrets?: Record<string, string>;
}

/** Ids are what randomUUID gives; anything else in a metadata file is refused (the id names directories). */
export const SANDBOX_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const stringMap = z.record(z.string(), z.string());
/** A metadata file as read back from disk (written by this provider, but still checked before use). */
export const sandboxRecordSchema = z.object({
  id: z.string().regex(SANDBOX_ID),
  name: z.string().min(1),
  snapshot: z.string().optional(),
  image: z.string().optional(),
  user: z.string(),
  env: stringMap,
  labels: stringMap,
  public: z.boolean(),
  networkBlockAll: z.boolean(),
  networkAllowList: z.string().optional(),
  cpu: z.number(),
  gpu: z.number(),
  memory: z.number(),
  disk: z.number(),
  state: z.enum(SANDBOX_STATES),
  desiredState: z.enum(SANDBOX_DESIRED_STATES),
  errorReason: z.string().optional(),
  autoStopInterval: z.number().int(),
  autoPauseInterval: z.number().int().default(0), // absent from files written before pause existed
  autoArchiveInterval: z.number().int(),
  autoDeleteInterval: z.number().int(),
  autoDestroyAt: z.string().optional(),
  forkedFrom: z.string().regex(SANDBOX_ID).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastActivityAt: z.string(),
  authToken: z.string(),
  volumes: z.array(z.object({ volumeId: z.string(), mountPath: z.string(), subpath: z.string().optional() })).optional(),
  secrets: stringMap.optional(),
}) satisfies z.ZodType<SandboxRecord>;

export const LOCAL_ORGANIZATION_ID = 'local';
export const LOCAL_TARGET = 'local';
export const SANDBOX_USER = 'daytona';
export const SANDBOX_HOME = '/home/daytona';
export const SANDBOX_CLASS = 'container';
/** The one snapshot the local provider has (/api/config's defaultSnapshot): this machine's own system. */
export const LOCAL_SNAPSHOT = 'local';
export const ISOLATION_LABEL = 'daytona-tray/isolation';
/** 'shared' on a sandbox that uses the host's network because this host cannot give it one of its own. */
export const NETWORK_LABEL = 'daytona-tray/network';
/** Labels only the provider sets: a caller's labels neither drop nor forge them. */
export const PROVIDER_LABELS: readonly string[] = [ISOLATION_LABEL, NETWORK_LABEL];

/** States in which a sandbox's processes may run; anything else is "not started". */
export const RUNNING_STATES: ReadonlySet<SandboxState> = new Set(['started']);

/** A sandbox in error can be recovered: the local provider's recovery is starting its runtime again. */
export function isRecoverable(record: SandboxRecord): boolean {
  return record.state === 'error' && record.desiredState !== 'destroyed';
}

/** The full DTO (single reads); `toolboxProxyUrl` is required by the SDK. */
export function toSandboxDto(record: SandboxRecord, toolboxProxyUrl: string) {
  return {
    ...toListItemDto(record, toolboxProxyUrl),
    env: record.env,
    volumes: record.volumes ?? [],
    ...(record.image
      ? {
          buildInfo: {
            dockerfileContent: `FROM ${record.image}\n`,
            createdAt: record.createdAt,
            updatedAt: record.updatedAt,
            snapshotRef: record.image,
          },
        }
      : {}),
  };
}

/** The list-item DTO: the same fields minus env/volumes/buildInfo (docs/daytona-api.md §4). */
export function toListItemDto(record: SandboxRecord, toolboxProxyUrl: string) {
  return {
    id: record.id,
    organizationId: LOCAL_ORGANIZATION_ID,
    name: record.name,
    ...(record.snapshot !== undefined ? { snapshot: record.snapshot } : {}),
    user: record.user,
    labels: record.labels,
    public: record.public,
    networkBlockAll: record.networkBlockAll,
    ...(record.networkAllowList !== undefined ? { networkAllowList: record.networkAllowList } : {}),
    target: LOCAL_TARGET,
    cpu: record.cpu,
    gpu: record.gpu,
    memory: record.memory,
    disk: record.disk,
    state: record.state,
    desiredState: record.desiredState,
    ...(record.errorReason !== undefined ? { errorReason: record.errorReason } : {}),
    recoverable: isRecoverable(record),
    backupState: 'None',
    autoStopInterval: record.autoStopInterval,
    autoPauseInterval: record.autoPauseInterval,
    autoArchiveInterval: record.autoArchiveInterval,
    autoDeleteInterval: record.autoDeleteInterval,
    ...(record.autoDestroyAt !== undefined ? { autoDestroyAt: record.autoDestroyAt } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    lastActivityAt: record.lastActivityAt,
    sandboxClass: SANDBOX_CLASS,
    toolboxProxyUrl,
  };
}
