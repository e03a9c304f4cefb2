import { z } from 'zod';

/**
 * What the watcher keeps of each sandbox: the fields the tray shows and the alert policy reasons about.
 * Parsed from Daytona's `Sandbox` / `SandboxListItem` DTOs (docs/daytona-api.md §4) and the event payloads,
 * leniently: a server newer than us may add states or drop optional fields, and one odd sandbox must not
 * hide the others.
 */
export interface WatchedSandbox {
  id: string;
  name: string;
  organizationId?: string;
  /** Daytona's state as sent (unknown states are kept as strings, not dropped). */
  state: string;
  desiredState?: string;
  cpu: number;
  gpu: number;
  /** GiB. */
  memory: number;
  /** GiB. */
  disk: number;
  /** Minutes; 0 = never. */
  autoStopInterval?: number;
  /** Minutes; 0 = never. */
  autoPauseInterval?: number;
  /** Minutes; 0 = the server's maximum. */
  autoArchiveInterval?: number;
  /** Minutes; negative = never, 0 = delete on stop. */
  autoDeleteInterval?: number;
  /** When the TTL deletes it, whatever its state (ISO 8601). */
  autoDestroyAt?: string;
  lastActivityAt?: string;
  createdAt?: string;
  updatedAt?: string;
  errorReason?: string;
  target?: string;
  labels?: Record<string, string>;
}

const finite = z.number().finite();
const optionalText = z.string().optional().catch(undefined);
const optionalNumber = finite.optional().catch(undefined);

export const watchedSandboxSchema = z.object({
  id: z.string().min(1),
  name: z.string().optional().catch(undefined),
  organizationId: optionalText,
  state: z.string().min(1).catch('unknown'),
  desiredState: optionalText,
  cpu: finite.catch(0),
  gpu: finite.catch(0),
  memory: finite.catch(0),
  disk: finite.catch(0),
  autoStopInterval: optionalNumber,
  autoPauseInterval: optionalNumber,
  autoArchiveInterval: optionalNumber,
  autoDeleteInterval: optionalNumber,
  autoDestroyAt: optionalText,
  lastActivityAt: optionalText,
  createdAt: optionalText,
  updatedAt: optionalText,
  errorReason: optionalText,
  target: optionalText,
  labels: z.record(z.string(), z.string()).optional().catch(undefined),
});

/** One DTO, or undefined when it has no id (nothing can be tracked without one). */
export function parseSandbox(raw: unknown): WatchedSandbox | undefined {
  const parsed = watchedSandboxSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const { name, ...rest } = parsed.data;
  const sandbox: WatchedSandbox = { ...rest, name: name || rest.id } as WatchedSandbox;
  // Drop keys that parsed to undefined so snapshots compare and serialize cleanly.
  for (const key of Object.keys(sandbox) as (keyof WatchedSandbox)[]) if (sandbox[key] === undefined) delete sandbox[key];
  return sandbox;
}

/** Where a sandbox's compute runs (it pays for vCPU and memory, not only disk). */
export const RUNNING_STATES: ReadonlySet<string> = new Set([
  'started',
  'starting',
  'stopping',
  'restoring',
  'resizing',
  'snapshotting',
  'forking',
  'pausing',
  'resuming',
]);
