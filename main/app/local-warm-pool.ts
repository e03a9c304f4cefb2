import { createDaytonaApi } from '../core/daytona-api/daytona-api.ts';

/** The local provider's one pool: for its one snapshot (main/local/warm-pool-routes.ts). */
const LOCAL_SNAPSHOT = 'local';

/**
 * Sets the running local provider's warm pool to `size` through Daytona's warm-pool API, which it serves: create
 * the pool, resize it, or delete it at 0. The setting itself is saved by the caller; a provider started later
 * reads it at start.
 */
export async function applyLocalWarmPool(endpoint: { apiUrl: string; apiKey: string }, size: number): Promise<void> {
  const api = createDaytonaApi({ apiUrl: endpoint.apiUrl, credentials: () => ({ token: endpoint.apiKey }) });
  try {
    const pools = await api.warmPools();
    const pool = Array.isArray(pools)
      ? (pools as { id?: unknown; snapshot?: unknown }[]).find((p) => p.snapshot === LOCAL_SNAPSHOT)
      : undefined;
    const id = typeof pool?.id === 'string' ? pool.id : undefined;
    if (id === undefined) {
      if (size > 0) await api.createWarmPool({ snapshot: LOCAL_SNAPSHOT, pool: size });
    } else if (size === 0) await api.deleteWarmPool(id);
    else await api.resizeWarmPool(id, size);
  } finally {
    api.close();
  }
}
