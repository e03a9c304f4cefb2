import { ApiError } from '../errors.ts';
import { networkPolicyOf, validateAllowList } from '../network-policy.ts';
import type { SandboxRecord } from '../sandbox-record.ts';
import type { TransitionContext } from './transition-context.ts';
import { assertChangeable } from './transition-rules.ts';

export interface NetworkSettings {
  networkBlockAll?: boolean | undefined;
  networkAllowList?: string | undefined;
}

/**
 * Changes what a sandbox may reach. A started sandbox with a network of its own gets the new rules at once; a
 * started one on the host's network cannot (nothing of the host's network is its own to change), so the change is
 * refused with what to do; a sandbox that is not running takes them at its next start.
 */
export function updateNetwork(ctx: TransitionContext, idOrName: string, settings: NetworkSettings): Promise<SandboxRecord> {
  if (settings.networkAllowList !== undefined) validateAllowList(settings.networkAllowList);
  return ctx.transition(idOrName, assertChangeable, async (record) => {
    const next = {
      networkBlockAll: settings.networkBlockAll ?? record.networkBlockAll,
      networkAllowList: settings.networkAllowList ?? record.networkAllowList,
    };
    const sandbox = ctx.runtimes.get(record.id);
    if (sandbox?.alive && sandbox.network !== 'own') {
      throw new ApiError(
        422,
        `The network settings of sandbox ${record.id} cannot change while it runs: it shares this machine's network (the provider's /api/config says why). Stop it, update them, then start it: they apply from its next start.`,
      );
    }
    if (sandbox?.alive) await sandbox.setNetwork(networkPolicyOf(next));
    record.networkBlockAll = next.networkBlockAll;
    if (next.networkAllowList === undefined) delete record.networkAllowList;
    else record.networkAllowList = next.networkAllowList;
    await ctx.save(record);
    return record;
  });
}
