import { ApiError } from '../errors.ts';
import { PROVIDER_LABELS, type SandboxRecord } from '../sandbox-record.ts';
import { copyTree } from './fork-files.ts';
import { hostnameOf, type CreateParams } from './new-sandbox.ts';
import type { TransitionContext } from './transition-context.ts';
import { forkVerdict, pauseVerdict, resizeVerdict, type Resources } from './transition-rules.ts';

/** Freezes every process of a started sandbox: `pausing`, then `paused`; its memory is kept until start resumes it. */
export function pause(ctx: TransitionContext, idOrName: string): Promise<SandboxRecord> {
  return ctx.transition(idOrName, pauseVerdict, async (record) => {
    await ctx.states.setDesired(record, 'paused');
    await ctx.states.setState(record, 'pausing');
    ctx.inBackground(record, async () => {
      ctx.log(`sandbox ${record.id} paused: ${await ctx.runtimes.freeze(record.id)}`);
      await ctx.states.setState(record, 'paused');
    });
    return record;
  });
}

/** Start on a paused sandbox: `resuming`, its processes continue where they were (or start afresh if they died). */
export async function resume(ctx: TransitionContext, record: SandboxRecord): Promise<SandboxRecord> {
  await ctx.states.setDesired(record, 'started');
  await ctx.states.setState(record, 'resuming');
  ctx.inBackground(record, async () => {
    if (await ctx.runtimes.thaw(record.id)) ctx.log(`sandbox ${record.id} resumed`);
    else {
      ctx.log(`sandbox ${record.id}: its processes ended while paused; starting them afresh`);
      await ctx.runtimes.boot(record, hostnameOf(record));
    }
    await ctx.states.setState(record, 'started');
  });
  return record;
}

/**
 * Daytona's fork: a new sandbox with the parent's settings and a copy of its files (copy-on-write where the
 * filesystem allows), started. The parent is `forking` while its files are copied.
 */
export function fork(ctx: TransitionContext, idOrName: string, name: string | undefined): Promise<SandboxRecord> {
  // In the parent's queue (no stop or delete under the copy); the new sandbox is created in its own.
  return ctx.transition(idOrName, forkVerdict, (parent) =>
    ctx.createWith(forkParams(parent, name), async (child) => {
      await ctx.states.setState(parent, 'forking');
      try {
        const from = ctx.dirsOf(parent.id);
        const to = ctx.dirsOf(child.id);
        const how = await copyTree(from.home, to.home);
        await copyTree(from.tmp, to.tmp);
        ctx.log(`sandbox ${child.id} forked from ${parent.id}: ${how}`);
      } catch (error) {
        throw new ApiError(500, `Forking sandbox ${parent.id} failed: ${(error as Error).message}. Check the free disk space, then retry.`);
      } finally {
        await ctx.states.setState(parent, 'started');
      }
    }),
  );
}

function forkParams(parent: SandboxRecord, name: string | undefined): CreateParams {
  return {
    name,
    snapshot: parent.snapshot,
    image: parent.image,
    env: { ...parent.env },
    labels: Object.fromEntries(Object.entries(parent.labels).filter(([key]) => !PROVIDER_LABELS.includes(key))),
    public: parent.public,
    networkBlockAll: parent.networkBlockAll,
    networkAllowList: parent.networkAllowList,
    cpu: parent.cpu,
    memory: parent.memory,
    disk: parent.disk,
    autoStopInterval: parent.autoStopInterval,
    autoPauseInterval: parent.autoPauseInterval,
    autoArchiveInterval: parent.autoArchiveInterval,
    autoDeleteInterval: parent.autoDeleteInterval,
    // Daytona's fork names the parent's volumes too (the same volumes, shared, not copies).
    volumes: parent.volumes?.map((volume) => ({ ...volume })),
    forkedFrom: parent.id,
  };
}

/**
 * New resources under Daytona's resize rules (transition-rules.ts): recorded, and on a started sandbox with a
 * cgroup applied to its running processes at once (a stopped one gets them at its next start). Disk is recorded
 * only: docs/local-sandbox-resources.md says why.
 */
export function resize(ctx: TransitionContext, idOrName: string, asked: Resources): Promise<SandboxRecord> {
  return ctx.transition(
    idOrName,
    (record) => resizeVerdict(record, asked),
    async (record) => {
      const next = resizeVerdict(record, asked);
      const back = record.state;
      await ctx.states.setState(record, 'resizing');
      const before = { cpu: record.cpu, memory: record.memory, disk: record.disk };
      Object.assign(record, next);
      try {
        const live = back === 'started' && ctx.runtimes.applyLimits(record);
        ctx.log(
          `sandbox ${record.id} resized to ${next.cpu} CPU, ${next.memory} GiB memory, ${next.disk} GiB disk${live ? ': cpu and memory applied now' : ''}`,
        );
      } catch (error) {
        Object.assign(record, before);
        await ctx.states.setState(record, back);
        throw new ApiError(500, `Resizing sandbox ${record.id} failed: ${(error as Error).message}. It keeps its resources; retry.`);
      }
      await ctx.states.setState(record, back);
      return record;
    },
  );
}
