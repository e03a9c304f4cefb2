/** Daytona's sandbox states (api-client SandboxState); the local provider uses a subset. */
export type SandboxState =
  | 'creating' | 'restoring' | 'destroyed' | 'destroying' | 'started' | 'stopped' | 'starting' | 'stopping'
  | 'error' | 'build_failed' | 'pending_build' | 'building_snapshot' | 'unknown' | 'pulling_snapshot'
  | 'archived' | 'archiving' | 'resizing' | 'snapshotting' | 'forking' | 'pausing' | 'paused' | 'resuming';

export type SandboxDesiredState = 'destroyed' | 'started' | 'stopped' | 'resized' | 'archived' | 'paused';

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
  autoArchiveInterval: number;
  autoDeleteInterval: number;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
  /** Token for private preview links. */
  authToken: string;
}

export const LOCAL_ORGANIZATION_ID = 'local';
export const LOCAL_TARGET = 'local';
export const SANDBOX_USER = 'daytona';
export const SANDBOX_HOME = '/home/daytona';
export const ISOLATION_LABEL = 'daytona-tray/isolation';

/** States in which a sandbox's processes may run; anything else is "not started". */
export const RUNNING_STATES: ReadonlySet<SandboxState> = new Set(['started']);

/** The full DTO (single reads); `toolboxProxyUrl` is required by the SDK. */
export function toSandboxDto(record: SandboxRecord, toolboxProxyUrl: string) {
  return {
    ...toListItemDto(record, toolboxProxyUrl),
    env: record.env,
    volumes: [],
    ...(record.image ? { buildInfo: { dockerfileContent: `FROM ${record.image}\n`, createdAt: record.createdAt, updatedAt: record.updatedAt, snapshotRef: record.image } } : {}),
  };
}

/** The list-item DTO: the same fields minus env/volumes/buildInfo (daytona-api.md §8.1). */
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
    autoStopInterval: record.autoStopInterval,
    autoArchiveInterval: record.autoArchiveInterval,
    autoDeleteInterval: record.autoDeleteInterval,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    lastActivityAt: record.lastActivityAt,
    sandboxClass: 'container',
    toolboxProxyUrl,
  };
}
