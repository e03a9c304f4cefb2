import { networkPolicyOf, validateAllowList } from '../network-policy.ts';
import type { SandboxRecord } from '../sandbox-record.ts';
import type { TransitionContext } from './pause-fork-resize.ts';
import { assertChangeable } from './transition-rules.ts';

export interface NetworkSettings {
  networkBlockAll?: boolean | undefined;
  networkAllowList?: string | undefined;
}

/**
 * Changes what a sandbox may reach. A started sandbox with a network of its own gets the new rules at
 * once; one on the host's network gets them at its next start (the config says why it has no own network).
 */
export function updateNetwork(ctx: TransitionContext, idOrName: string, settings: NetworkSettings): Promise<SandboxRecord> {
  if (settings.networkAllowList !== undefined) validateAllowList(settings.networkAllowList);
  return ctx.transition(idOrName, assertChangeable, async (record) => {
    const next = {
      networkBlockAll: settings.networkBlockAll ?? record.networkBlockAll,
      networkAllowList: settings.networkAllowList ?? record.networkAllowList,
    };
    const sandbox = ctx.runtimes.get(record.id);
    if (sandbox?.alive && sandbox.network === 'own') await sandbox.setNetwork(networkPolicyOf(next));
    record.networkBlockAll = next.networkBlockAll;
    if (next.networkAllowList === undefined) delete record.networkAllowList;
    else record.networkAllowList = next.networkAllowList;
    await ctx.save(record);
    return record;
  });
}
