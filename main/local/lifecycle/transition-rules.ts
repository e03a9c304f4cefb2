import { badRequest, conflict } from '../errors.ts';
import { isRecoverable, type SandboxRecord } from '../sandbox-record.ts';

/**
 * Which state changes a caller may ask for, with Daytona's answers (apps/api/src/sandbox/services/sandbox.service.ts,
 * v0.190.0): a change while another is under way is 409 "Sandbox state change in progress"; a change the sandbox's
 * state does not allow is 400 (Daytona's SandboxError, which the SDK raises as DaytonaValidationError). Each message
 * starts with Daytona's words and goes on with what to do.
 */

/** 'noop': the sandbox is already where the call would take it; 'go': make the transition. */
export type Verdict = 'noop' | 'go';

const errored = (record: SandboxRecord) => record.state === 'error' || record.state === 'build_failed';
/** Daytona's `pending`: a transition is under way (the state has not reached the desired state yet). */
const changing = (record: SandboxRecord) => !errored(record) && String(record.state) !== String(record.desiredState);
export const isEphemeral = (record: SandboxRecord) => record.autoDeleteInterval === 0;

function inProgress(record: SandboxRecord) {
  return conflict(`Sandbox state change in progress: sandbox ${record.id} is ${record.state}. Wait until it settles, then retry.`);
}

function assertNotErrored(record: SandboxRecord): void {
  if (!errored(record)) return;
  const reason = record.errorReason ? ` (${record.errorReason})` : '';
  throw badRequest(`Sandbox is in an errored state${reason}: recover it (sandbox.recover()) or delete it.`);
}

export function startVerdict(record: SandboxRecord): Verdict {
  if (record.state === 'started' && record.desiredState === 'started') return 'noop';
  assertNotErrored(record);
  if (changing(record)) throw inProgress(record);
  if (record.state !== 'stopped' && record.state !== 'archived' && record.state !== 'paused') {
    throw badRequest(
      `Sandbox is not in valid state: sandbox ${record.id} is ${record.state}; only a stopped, paused or archived one starts.`,
    );
  }
  return 'go';
}

/** An ephemeral sandbox is deleted by its stop (the caller checks isEphemeral). */
export function stopVerdict(record: SandboxRecord): Verdict {
  assertNotErrored(record);
  if (changing(record)) throw inProgress(record);
  if (record.state !== 'started' && record.state !== 'paused') {
    throw badRequest(`Sandbox is not in a stoppable state: sandbox ${record.id} is ${record.state}; only a started or paused one stops.`);
  }
  return 'go';
}

/** Pause and fork need a started sandbox (Daytona's words: "Sandbox must be in started state to pause"). */
function startedFor(action: 'pause' | 'fork' | 'resize', record: SandboxRecord): Verdict {
  assertNotErrored(record);
  if (changing(record)) throw inProgress(record);
  if (record.state !== 'started') {
    throw badRequest(`Sandbox must be in started state to ${action}: sandbox ${record.id} is ${record.state}. Start it first.`);
  }
  return 'go';
}

export const pauseVerdict = (record: SandboxRecord) => startedFor('pause', record);
export const forkVerdict = (record: SandboxRecord) => startedFor('fork', record);

export interface Resources {
  cpu?: number | undefined;
  memory?: number | undefined;
  disk?: number | undefined;
}

/**
 * Daytona's resize rules: a started or stopped sandbox; while started only CPU and memory, and only up; disk
 * only when stopped, and never down. Returns the resources after the resize.
 */
export function resizeVerdict(record: SandboxRecord, asked: Resources): Required<{ [K in keyof Resources]: number }> {
  assertNotErrored(record);
  if (changing(record)) throw inProgress(record);
  if (record.state !== 'started' && record.state !== 'stopped') {
    throw badRequest(`Sandbox must be in started or stopped state to resize: sandbox ${record.id} is ${record.state}.`);
  }
  if (asked.cpu === undefined && asked.memory === undefined && asked.disk === undefined) {
    throw badRequest('No resource changes specified - sandbox is already at the desired configuration: give cpu, memory or disk.');
  }
  const hot = record.state === 'started';
  if (hot && asked.disk !== undefined) throw badRequest('Disk resize can only be performed on a stopped sandbox: stop it first.');
  if (hot && asked.cpu !== undefined && asked.cpu < record.cpu) {
    throw badRequest('Sandbox must be in stopped state to decrease the number of CPU cores: stop it first.');
  }
  if (hot && asked.memory !== undefined && asked.memory < record.memory) {
    throw badRequest('Sandbox must be in stopped state to decrease memory: stop it first.');
  }
  if (asked.disk !== undefined && asked.disk < record.disk)
    throw badRequest(`Sandbox disk size cannot be decreased (it is ${record.disk} GiB).`);
  const next = { cpu: asked.cpu ?? record.cpu, memory: asked.memory ?? record.memory, disk: asked.disk ?? record.disk };
  if (next.cpu === record.cpu && next.memory === record.memory && next.disk === record.disk) {
    throw badRequest('No resource changes specified - sandbox is already at the desired configuration.');
  }
  return next;
}

export function archiveVerdict(record: SandboxRecord): Verdict {
  assertNotErrored(record);
  if (changing(record)) throw inProgress(record);
  if (record.state !== 'stopped') {
    throw badRequest(`Sandbox is not stopped: sandbox ${record.id} is ${record.state}; stop it first, then archive it.`);
  }
  if (isEphemeral(record)) {
    throw badRequest(
      `Ephemeral sandboxes cannot be archived: sandbox ${record.id} has autoDeleteInterval 0. Set another auto-delete interval first.`,
    );
  }
  return 'go';
}

export function deleteVerdict(record: SandboxRecord): Verdict {
  if (changing(record)) throw inProgress(record);
  return 'go';
}

export function recoverVerdict(record: SandboxRecord): Verdict {
  if (!isRecoverable(record)) {
    throw badRequest(`Sandbox is not in a recoverable state: sandbox ${record.id} is ${record.state}; only a sandbox in error recovers.`);
  }
  return 'go';
}

/** Settings (labels, intervals, network) change on any sandbox that is not being deleted. */
export function assertChangeable(record: SandboxRecord): void {
  if (record.state === 'destroying' || record.desiredState === 'destroyed') {
    throw conflict(`Sandbox ${record.id} is being deleted: its settings can no longer change.`);
  }
}
