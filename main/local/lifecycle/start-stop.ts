import type { SandboxRecord } from '../sandbox-record.ts';
import { hostnameOf, newAuthToken } from './new-sandbox.ts';
import { resume } from './pause-fork-resize.ts';
import type { TransitionContext } from './transition-context.ts';
import { archiveVerdict, deleteVerdict, isEphemeral, recoverVerdict, startVerdict, stopVerdict } from './transition-rules.ts';

/** Starts a stopped or archived sandbox, or resumes a paused one. */
export function start(ctx: TransitionContext, idOrName: string): Promise<SandboxRecord> {
  return ctx.transition(idOrName, startVerdict, async (record) => {
    if (startVerdict(record) === 'noop') return record;
    if (record.state === 'paused') return resume(ctx, record);
    await bootInBackground(ctx, record, record.state === 'archived' ? 'restoring' : 'starting');
    return record;
  });
}

/** Daytona's recover for a sandbox in error: here, its runtime started again (left stopped with skipStart). */
export function recover(ctx: TransitionContext, idOrName: string, skipStart = false): Promise<SandboxRecord> {
  return ctx.transition(idOrName, recoverVerdict, async (record) => {
    if (!skipStart) {
      await bootInBackground(ctx, record, 'starting');
      return record;
    }
    await ctx.runtimes.stop(record.id, true);
    await ctx.states.setDesired(record, 'stopped');
    await ctx.states.setState(record, 'stopped');
    return record;
  });
}

/** Like Daytona's start, gives the sandbox a new preview token: links handed out before stop no longer open it. */
async function bootInBackground(ctx: TransitionContext, record: SandboxRecord, via: 'starting' | 'restoring'): Promise<void> {
  record.authToken = newAuthToken();
  await ctx.states.setDesired(record, 'started');
  await ctx.states.setState(record, via);
  ctx.inBackground(record, async () => {
    await ctx.runtimes.stop(record.id, true); // whatever a failed run left
    await ctx.runtimes.boot(record, hostnameOf(record));
    await ctx.states.setState(record, 'started');
  });
}

/** Stops a started sandbox; an ephemeral one (autoDeleteInterval 0) is deleted instead, as on Daytona. */
export function stop(ctx: TransitionContext, idOrName: string, force = false): Promise<SandboxRecord> {
  return ctx.transition(idOrName, stopVerdict, async (record) => {
    if (isEphemeral(record)) return deleteNow(ctx, record);
    await ctx.states.setDesired(record, 'stopped');
    await ctx.states.setState(record, 'stopping');
    ctx.inBackground(record, async () => {
      await ctx.runtimes.stop(record.id, force);
      await ctx.states.setState(record, 'stopped');
    });
    return record;
  });
}

export function archive(ctx: TransitionContext, idOrName: string): Promise<SandboxRecord> {
  return ctx.transition(idOrName, archiveVerdict, async (record) => {
    await ctx.states.setDesired(record, 'archived');
    await ctx.states.setState(record, 'archiving');
    // Local archives keep the files where they are; archiving only changes what the sandbox may do.
    ctx.inBackground(record, () => ctx.states.setState(record, 'archived'));
    return record;
  });
}

/** Daytona's delete: `destroying` at once, then its processes end and its files go. */
export function remove(ctx: TransitionContext, idOrName: string): Promise<SandboxRecord> {
  return ctx.transition(idOrName, deleteVerdict, (record) => deleteNow(ctx, record));
}

async function deleteNow(ctx: TransitionContext, record: SandboxRecord): Promise<SandboxRecord> {
  await ctx.states.setDesired(record, 'destroyed');
  await ctx.states.setState(record, 'destroying');
  ctx.inBackground(record, async () => {
    await ctx.runtimes.stop(record.id, true);
    ctx.runtimes.forget(record.id);
    await ctx.discard(record.id);
    await ctx.states.setState(record, 'destroyed');
  });
  return record;
}
