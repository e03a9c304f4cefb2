import { Router, json } from 'express';
import { z } from 'zod';
import { MAX_WARM_POOL_SIZE } from '../core/settings/settings-schema.ts';
import { badRequest, conflict, notFound } from './errors.ts';
import { LOCAL_ORGANIZATION_ID, LOCAL_SNAPSHOT, LOCAL_TARGET, SANDBOX_USER } from './sandbox-record.ts';
import type { WarmPool } from './sandbox-runner/warm-pool.ts';
import { parseOrBadRequest } from './validation.ts';

/** The one pool's id: the local provider keeps a single pool, for its single snapshot. */
export const LOCAL_WARM_POOL_ID = 'local';

const size = z
  .number()
  .int('must be a whole number')
  .min(0)
  .max(MAX_WARM_POOL_SIZE, `the local provider keeps at most ${MAX_WARM_POOL_SIZE}`);
const createSchema = z.object({ snapshot: z.string().min(1), pool: size.min(1, 'must be at least 1'), target: z.string().optional() });
const updateSchema = z.object({ pool: size });

/**
 * Daytona's warm-pool API (@daytona/api-client WarmPoolsApi: GET/POST /warm-pools, PATCH/DELETE /warm-pools/{id})
 * over the provider's own pool of started sandboxes. There is one pool, for the local snapshot; it exists while
 * its size is above zero (settings give the size at start; a change here lasts until the provider stops).
 */
export function warmPoolRoutes(pool: WarmPool): Router {
  const router = Router();
  router.use('/warm-pools', json({ limit: '64kb' }));
  const created = new Date().toISOString();
  let updated = created;
  const dto = () => ({
    id: LOCAL_WARM_POOL_ID,
    organizationId: LOCAL_ORGANIZATION_ID,
    snapshot: LOCAL_SNAPSHOT,
    target: LOCAL_TARGET,
    pool: pool.size,
    currentSize: pool.currentSize,
    cpu: 1,
    mem: 1,
    disk: 3,
    osUser: SANDBOX_USER,
    env: {},
    errorReason: pool.errorReason ?? null,
    createdAt: created,
    updatedAt: updated,
  });
  const existing = (id: string) => {
    if (id !== LOCAL_WARM_POOL_ID || pool.size === 0) {
      throw notFound(`Warm pool ${id} not found. List warm pools with GET /api/warm-pools.`);
    }
  };
  const resize = async (next: number) => {
    if (!pool.supported && next > 0) {
      throw badRequest(
        "Warm pools need bubblewrap sandboxes with a user namespace of the provider's own on this machine (see GET /api/config for why sandboxes run otherwise here).",
      );
    }
    await pool.resize(next);
    updated = new Date().toISOString();
  };

  router.get('/warm-pools', (_req, res) => {
    res.json(pool.size > 0 ? [dto()] : []);
  });
  router.post('/warm-pools', async (req, res) => {
    const body = parseOrBadRequest(createSchema, req.body ?? {}, 'warm pool');
    if (body.snapshot !== LOCAL_SNAPSHOT) {
      throw badRequest(`The local provider keeps warm sandboxes for its one snapshot only: use snapshot '${LOCAL_SNAPSHOT}'.`);
    }
    if (body.target !== undefined && body.target !== LOCAL_TARGET) {
      throw badRequest(`The local provider has one region: use target '${LOCAL_TARGET}', or omit it.`);
    }
    if (pool.size > 0) {
      throw conflict(`A warm pool for snapshot '${LOCAL_SNAPSHOT}' already exists (${LOCAL_WARM_POOL_ID}): change its size with PATCH.`);
    }
    await resize(body.pool);
    res.json(dto());
  });
  router.patch('/warm-pools/:id', async (req, res) => {
    existing(req.params.id);
    const body = parseOrBadRequest(updateSchema, req.body ?? {}, 'warm pool update');
    await resize(body.pool);
    res.json(dto());
  });
  router.delete('/warm-pools/:id', async (req, res) => {
    existing(req.params.id);
    await resize(0);
    res.status(200).end();
  });
  return router;
}
