import type { SandboxRecord, SandboxState } from '../sandbox-record.ts';
import { MAX_AUTO_ARCHIVE_MINUTES } from './new-sandbox.ts';

/** States a provider restart cannot resume: their sandboxes come back stopped. */
export const RESTING_STATES: ReadonlySet<SandboxState> = new Set(['stopped', 'archived', 'error', 'build_failed']);

/**
 * What a restart makes of a saved sandbox: nothing runs any more, so a sandbox in a running or
 * in-between state comes back stopped; a half-done delete is finished ('remove').
 */
export function afterRestart(record: SandboxRecord): 'remove' | SandboxRecord {
  if (record.state === 'destroying' || record.state === 'destroyed' || record.desiredState === 'destroyed') return 'remove';
  if (record.state === 'archiving') record.state = 'archived';
  else if (!RESTING_STATES.has(record.state)) record.state = 'stopped';
  if (record.state === 'stopped' || record.state === 'archived') record.desiredState = record.state;
  return record;
}

export type DueAction = 'stop' | 'pause' | 'archive' | 'delete';

/** The TTL's deadline `minutes` (scaled) from `now`; undefined for 0 (no TTL). */
export function ttlDeadline(now: number, minutes: number, minuteMs: number): string | undefined {
  return minutes > 0 ? new Date(now + minutes * minuteMs).toISOString() : undefined;
}

/** True once a sandbox's TTL has run out: it is deleted whatever its state (the SDK's setTtl contract). */
export function ttlExpired(record: SandboxRecord, now: number): boolean {
  return record.autoDestroyAt !== undefined && now >= Date.parse(record.autoDestroyAt) && record.desiredState !== 'destroyed';
}

/**
 * Which of Daytona's auto-stop, auto-pause, auto-archive and auto-delete jobs (docs/daytona-api.md §11) is due
 * for a sandbox idle for `idleMs`, if any. A paused sandbox waits for its start (or its TTL).
 */
export function dueAction(record: SandboxRecord, idleMs: number, minuteMs: number): DueAction | undefined {
  const elapsed = (minutes: number) => idleMs >= minutes * minuteMs;
  if (record.state === 'started' && record.desiredState === 'started') {
    if (record.autoPauseInterval > 0 && elapsed(record.autoPauseInterval)) return 'pause';
    if (record.autoStopInterval <= 0 || !elapsed(record.autoStopInterval)) return undefined;
    // Daytona's ephemeral sandboxes (autoDeleteInterval 0) are deleted instead of stopped.
    return record.autoDeleteInterval === 0 ? 'delete' : 'stop';
  }
  if (record.state === 'stopped' && record.desiredState === 'stopped') {
    if (record.autoDeleteInterval >= 0 && elapsed(record.autoDeleteInterval)) return 'delete';
    if (elapsed(record.autoArchiveInterval || MAX_AUTO_ARCHIVE_MINUTES)) return 'archive';
  }
  return undefined;
}

export interface DueJobRunner {
  /** True while the sandbox has a transition queued or running: it is checked again next pass. */
  busy(id: string): boolean;
  closing(): boolean;
  run(action: DueAction, id: string): Promise<unknown>;
  log(line: string): void;
  /** True for an expected refusal (the sandbox changed under the pass); anything else is logged. */
  expected(error: unknown): boolean;
}

/** One pass over every sandbox, running the jobs that are due, one sandbox at a time. */
export async function runDueJobs(records: SandboxRecord[], now: number, minuteMs: number, jobs: DueJobRunner): Promise<void> {
  for (const record of records) {
    if (jobs.busy(record.id) || jobs.closing()) continue;
    const action = ttlExpired(record, now) ? 'delete' : dueAction(record, now - Date.parse(record.lastActivityAt), minuteMs);
    if (!action) continue;
    try {
      await jobs.run(action, record.id);
    } catch (error) {
      if (!jobs.expected(error)) jobs.log(`lifecycle check failed for ${record.id}: ${String(error)}`);
    }
  }
}
