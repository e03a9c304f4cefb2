import { Router, json } from 'express';
import { z } from 'zod';
import { badRequest, notFound } from './errors.ts';
import { DEFAULT_RESOURCES } from './lifecycle/new-sandbox.ts';
import { LOCAL_ORGANIZATION_ID, LOCAL_SNAPSHOT, LOCAL_TARGET, SANDBOX_CLASS, type SandboxRecord } from './sandbox-record.ts';
import { toSecretDto, type SecretVault } from './secrets/secret-vault.ts';
import { parseOrBadRequest } from './validation.ts';
import { toVolumeDto, type VolumeStore } from './volumes/volume-store.ts';

export interface ResourceRoutesDeps {
  volumes: VolumeStore;
  secrets: SecretVault;
  /** Every sandbox the provider knows (a volume in use by one cannot be deleted). */
  sandboxes: () => SandboxRecord[];
  /** When the provider started: the local snapshot's creation time. */
  startedAt: string;
  /** Replaces a sandbox's secrets (env name → secret name) and answers its DTO (sandbox.updateSecrets). */
  updateSandboxSecrets: (idOrName: string, secrets: unknown) => Promise<unknown>;
}

const secretBody = z.object({
  name: z.string().optional(),
  value: z.string().optional(),
  description: z.string().optional(),
  hosts: z.array(z.string()).optional(),
});

/** Daytona's organization resources the SDK's services call: volumes, secrets and snapshots (under /api). */
export function resourceRoutes(deps: ResourceRoutesDeps): Router {
  const router = Router();
  router.use(json({ limit: '1mb' }));
  const { volumes, secrets } = deps;

  // ── volumes (VolumeService) ──
  router.get('/volumes', (req, res) => {
    res.json(volumes.list(req.query.includeDeleted === 'true').map(toVolumeDto));
  });
  router.post('/volumes', async (req, res) => {
    const { name } = parseOrBadRequest(z.object({ name: z.string().max(255).optional() }), req.body ?? {}, 'volume');
    res.status(200).json(toVolumeDto(await volumes.create(name)));
  });
  router.get('/volumes/by-name/:name', (req, res) => {
    res.json(toVolumeDto(volumes.getByName(req.params.name)));
  });
  router.get('/volumes/:volumeId', (req, res) => {
    res.json(toVolumeDto(volumes.get(req.params.volumeId)));
  });
  router.delete('/volumes/:volumeId', async (req, res) => {
    const id = req.params.volumeId;
    const user = deps.sandboxes().find((s) => s.desiredState !== 'destroyed' && s.volumes?.some((v) => v.volumeId === id));
    await volumes.delete(id, user?.name);
    res.status(200).end();
  });

  // ── secrets (SecretService): values go in, never out ──
  router.get('/secret', (_req, res) => {
    res.json(secrets.all().map(toSecretDto));
  });
  router.get('/secret/paginated', (req, res) => {
    const query = parseOrBadRequest(
      z.object({
        cursor: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(200).default(100),
        name: z.string().optional(),
        sort: z.enum(['name', 'createdAt', 'updatedAt']).default('createdAt'),
        order: z.enum(['asc', 'desc']).default('desc'),
      }),
      req.query,
      'secret list query',
    );
    const offset = query.cursor === undefined ? 0 : Number.parseInt(query.cursor, 10);
    if (!Number.isInteger(offset) || offset < 0)
      throw badRequest(`Invalid cursor '${query.cursor}': pass the nextCursor of the previous page.`);
    const matching = secrets
      .all()
      .filter((s) => query.name === undefined || s.name.toLowerCase().includes(query.name.toLowerCase()))
      .sort((a, b) => (query.order === 'asc' ? 1 : -1) * a[query.sort].localeCompare(b[query.sort]));
    const page = matching.slice(offset, offset + query.limit);
    const next = offset + page.length;
    res.json({ items: page.map(toSecretDto), total: matching.length, nextCursor: next < matching.length ? String(next) : null });
  });
  router.post('/secret', async (req, res) => {
    res.status(200).json(toSecretDto(await secrets.create(parseOrBadRequest(secretBody, req.body ?? {}, 'secret'))));
  });
  router.get('/secret/:secretId', (req, res) => {
    res.json(toSecretDto(secrets.get(req.params.secretId)));
  });
  router.patch('/secret/:secretId', async (req, res) => {
    res.json(
      toSecretDto(await secrets.update(req.params.secretId, parseOrBadRequest(secretBody.omit({ name: true }), req.body ?? {}, 'secret'))),
    );
  });
  router.delete('/secret/:secretId', async (req, res) => {
    await secrets.delete(req.params.secretId);
    res.status(200).end();
  });

  router.put('/sandbox/:idOrName/secrets', async (req, res) => {
    const { secrets: list } = parseOrBadRequest(z.object({ secrets: z.unknown() }), req.body ?? {}, 'sandbox secrets');
    res.json(await deps.updateSandboxSecrets(req.params.idOrName, list));
  });

  // ── snapshots (SnapshotService): the one the provider honestly has, this machine's system ──
  const snapshot = localSnapshotDto(deps.startedAt);
  router.get('/snapshots', (req, res) => {
    const query = parseOrBadRequest(
      z.object({
        page: z.coerce.number().int().min(1).default(1),
        limit: z.coerce.number().int().min(1).max(200).default(10),
        name: z.string().optional(),
        sourceSandboxId: z.string().optional(),
      }),
      req.query,
      'snapshot list query',
    );
    const matching = [snapshot].filter(
      (s) => (query.name === undefined || s.name.includes(query.name)) && query.sourceSandboxId === undefined,
    );
    const items = matching.slice((query.page - 1) * query.limit, query.page * query.limit);
    res.json({ items, total: matching.length, page: query.page, totalPages: Math.ceil(matching.length / query.limit) });
  });
  router.get('/snapshots/:id', (req, res) => {
    if (req.params.id !== snapshot.id && req.params.id !== snapshot.name) {
      throw notFound(
        `Snapshot ${req.params.id} not found. The local provider has one snapshot, '${LOCAL_SNAPSHOT}' (this machine's system).`,
      );
    }
    res.json(snapshot);
  });
  return router;
}

/**
 * The local provider's only snapshot: the host's own system, seen read-only by every sandbox. Always active,
 * general (every sandbox may use it), with the default sandbox size and no image behind it.
 */
function localSnapshotDto(startedAt: string) {
  return {
    id: LOCAL_SNAPSHOT,
    organizationId: LOCAL_ORGANIZATION_ID,
    general: true,
    name: LOCAL_SNAPSHOT,
    imageName: LOCAL_SNAPSHOT,
    state: 'active',
    size: null,
    entrypoint: null,
    cpu: DEFAULT_RESOURCES.cpu,
    gpu: 0,
    mem: DEFAULT_RESOURCES.memory,
    disk: DEFAULT_RESOURCES.disk,
    errorReason: null,
    createdAt: startedAt,
    updatedAt: startedAt,
    lastUsedAt: null,
    regionIds: [LOCAL_TARGET],
    sourceSandboxId: null,
    sandboxClass: SANDBOX_CLASS,
  };
}
