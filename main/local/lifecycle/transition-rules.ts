import { conflict } from '../errors.ts';
import type { SandboxRecord } from '../sandbox-record.ts';

/** 'noop': the sandbox is already where the call would take it; 'go': make the transition. */
export type Verdict = 'noop' | 'go';

export function startVerdict(record: SandboxRecord): Verdict {
  switch (record.state) {
    case 'started':
      return 'noop';
    case 'stopped':
    case 'archived':
    case 'error':
    case 'build_failed':
      return 'go';
    default:
      throw conflict(`Sandbox ${record.id} is ${record.state}; wait until it is stopped, then start it.`);
  }
}

export function stopVerdict(record: SandboxRecord): Verdict {
  if (record.state === 'stopped' || record.state === 'archived') return 'noop';
  if (record.state !== 'started' && record.state !== 'error') {
    throw conflict(`Sandbox ${record.id} is ${record.state}; wait until it is started, then stop it.`);
  }
  return 'go';
}

export function archiveVerdict(record: SandboxRecord): Verdict {
  if (record.state === 'archived') return 'noop';
  if (record.state !== 'stopped') {
    throw conflict(`Sandbox ${record.id} is ${record.state}: only a stopped sandbox can be archived. Stop it first.`);
  }
  return 'go';
}

export function deleteVerdict(record: SandboxRecord): Verdict {
  return record.state === 'destroying' || record.state === 'destroyed' ? 'noop' : 'go';
}

/** Settings (labels, intervals, network) change on any sandbox that is not being deleted. */
export function assertChangeable(record: SandboxRecord): void {
  if (record.state === 'destroying' || record.desiredState === 'destroyed') {
    throw conflict(`Sandbox ${record.id} is being deleted: its settings can no longer change.`);
  }
}
