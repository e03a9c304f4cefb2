import { randomBytes, randomUUID } from 'node:crypto';
import { ISOLATION_LABEL, NETWORK_LABEL, PROVIDER_LABELS, SANDBOX_USER, type SandboxRecord } from '../sandbox-record.ts';

export interface CreateParams {
  name?: string | undefined;
  snapshot?: string | undefined;
  image?: string | undefined;
  env?: Record<string, string> | undefined;
  labels?: Record<string, string> | undefined;
  public?: boolean | undefined;
  networkBlockAll?: boolean | undefined;
  networkAllowList?: string | undefined;
  cpu?: number | undefined;
  memory?: number | undefined;
  disk?: number | undefined;
  autoStopInterval?: number | undefined;
  autoPauseInterval?: number | undefined;
  autoArchiveInterval?: number | undefined;
  autoDeleteInterval?: number | undefined;
  /** When the TTL ends (computed by the service from ttlMinutes on its scaled clock). */
  autoDestroyAt?: string | undefined;
  /** The parent of a fork. */
  forkedFrom?: string | undefined;
  volumes?: { volumeId: string; mountPath: string; subpath?: string | undefined }[] | undefined;
  /** Environment variable name → secret name. */
  secrets?: Record<string, string> | undefined;
}

/** Daytona's server defaults (docs/daytona-api.md §4). */
export const DEFAULT_AUTO_STOP_MINUTES = 15;
export const DEFAULT_AUTO_ARCHIVE_MINUTES = 7 * 24 * 60;
export const MAX_AUTO_ARCHIVE_MINUTES = 30 * 24 * 60;
export const DEFAULT_RESOURCES = { cpu: 1, memory: 1, disk: 3 };

/** What this host's runner is, stamped on every sandbox as the provider's own labels. */
export interface RunnerTraits {
  isolation: 'bubblewrap' | 'none';
  network: 'own' | 'shared';
  /** An id whose sandbox can start at once (a warm pool's next sandbox already has it as its hostname). */
  suggestId?(): string | undefined;
}

/** A new sandbox's record in state `creating`, with Daytona's defaults for whatever the caller left out. */
export function newSandboxRecord(params: CreateParams, runner: RunnerTraits, nowIso: string): SandboxRecord {
  const id = runner.suggestId?.() ?? randomUUID();
  // The isolation flag is the provider's to set, never the caller's.
  const labels = Object.fromEntries(Object.entries(params.labels ?? {}).filter(([key]) => !PROVIDER_LABELS.includes(key)));
  if (runner.isolation === 'none') labels[ISOLATION_LABEL] = 'none';
  if (runner.network === 'shared') labels[NETWORK_LABEL] = 'shared';
  return {
    id,
    name: params.name ?? id,
    ...(params.snapshot !== undefined ? { snapshot: params.snapshot } : {}),
    ...(params.image !== undefined ? { image: params.image } : {}),
    user: SANDBOX_USER,
    env: { ...params.env },
    labels,
    public: params.public ?? false,
    networkBlockAll: params.networkBlockAll ?? false,
    ...(params.networkAllowList !== undefined ? { networkAllowList: params.networkAllowList } : {}),
    cpu: params.cpu ?? DEFAULT_RESOURCES.cpu,
    gpu: 0,
    memory: params.memory ?? DEFAULT_RESOURCES.memory,
    disk: params.disk ?? DEFAULT_RESOURCES.disk,
    state: 'creating',
    desiredState: 'started',
    // Daytona's rule: with auto-pause asked for and auto-stop left out, auto-stop is off.
    autoStopInterval: params.autoStopInterval ?? (params.autoPauseInterval ? 0 : DEFAULT_AUTO_STOP_MINUTES),
    autoPauseInterval: params.autoPauseInterval ?? 0,
    autoArchiveInterval: params.autoArchiveInterval ?? DEFAULT_AUTO_ARCHIVE_MINUTES,
    autoDeleteInterval: params.autoDeleteInterval ?? -1,
    ...(params.autoDestroyAt !== undefined ? { autoDestroyAt: params.autoDestroyAt } : {}),
    ...(params.forkedFrom !== undefined ? { forkedFrom: params.forkedFrom } : {}),
    createdAt: nowIso,
    updatedAt: nowIso,
    lastActivityAt: nowIso,
    authToken: newAuthToken(),
    ...(params.volumes?.length ? { volumes: params.volumes } : {}),
    ...(params.secrets && Object.keys(params.secrets).length ? { secrets: params.secrets } : {}),
  };
}

/** A private sandbox's preview token (x-daytona-preview-token); a new one at every start. */
export function newAuthToken(): string {
  return randomBytes(24).toString('base64url');
}

/** A hostname for the sandbox: its name as a DNS label, or the start of its id. */
export function hostnameOf(record: SandboxRecord): string {
  const cleaned = record.name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return cleaned || record.id.slice(0, 12);
}
