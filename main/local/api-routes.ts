import { Router, json } from 'express';
import { z } from 'zod';
import { badRequest, conflict } from './errors.ts';
import { MAX_SIGNED_SECONDS, type PreviewLinks } from './preview/preview-links.ts';
import { ttlDeadline } from './lifecycle/auto-lifecycle.ts';
import { updateNetwork } from './lifecycle/network-update.ts';
import { MAX_AUTO_ARCHIVE_MINUTES } from './lifecycle/new-sandbox.ts';
import { fork, pause, resize } from './lifecycle/pause-fork-resize.ts';
import { isRecoverable, LOCAL_SNAPSHOT, PROVIDER_LABELS, type SandboxRecord } from './sandbox-record.ts';
import { listSandboxes } from './sandbox-list.ts';
import { lineageRoutes } from './lineage-routes.ts';
import { refuseUnsupported } from './unsupported.ts';
import { resolveCreateResources, type SandboxResources } from './sandbox-resources.ts';
import type { SandboxService } from './sandbox-service.ts';
import { assertPort, parseOrBadRequest } from './validation.ts';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const minutes = z.number().int('must be a whole number of minutes');
const stringMap = z.record(z.string(), z.string());

const createSchema = z.object({
  name: z.string().regex(NAME, 'must be 1-63 letters, digits, dots, dashes or underscores, starting with a letter or digit').optional(),
  snapshot: z.string().min(1).optional(),
  user: z.string().optional(),
  env: stringMap.optional(),
  labels: stringMap.optional(),
  public: z.boolean().optional(),
  target: z.string().optional(),
  cpu: z.number().int().positive().optional(),
  gpu: z.number().int().min(0).optional(),
  memory: z.number().int().positive().optional(),
  disk: z.number().int().positive().optional(),
  autoStopInterval: minutes.min(0).optional(),
  autoPauseInterval: minutes.min(0).optional(),
  ttlMinutes: minutes.min(0).optional(),
  autoArchiveInterval: minutes.min(0).optional(),
  autoDeleteInterval: minutes.optional(),
  networkBlockAll: z.boolean().optional(),
  networkAllowList: z.string().optional(),
  buildInfo: z.object({ dockerfileContent: z.string().optional() }).optional(),
  volumes: z.unknown().optional(),
  secrets: z.unknown().optional(),
});

const forkSchema = z.object({ name: createSchema.shape.name });
const resizeSchema = z.object({
  cpu: z.number().int().positive().optional(),
  memory: z.number().int().positive().optional(),
  disk: z.number().int().positive().optional(),
});

const networkSettingsSchema = z.object({
  networkBlockAll: z.boolean().optional(),
  networkAllowList: z.string().optional(),
  domainAllowList: z.string().optional(),
});

/** The main API routes the SDK uses (docs/daytona-api.md §3), mounted under /api behind the bearer check. */
export function apiRoutes(service: SandboxService, links: PreviewLinks, resources: SandboxResources): Router {
  const router = Router();
  router.use(json({ limit: '1mb' }));

  router.post('/sandbox', async (req, res) => {
    const body = parseOrBadRequest(createSchema, req.body ?? {}, 'sandbox');
    if (body.gpu) throw badRequest('GPUs are not available on the local provider: omit gpu, or use a Daytona Cloud profile.');
    if (body.user !== undefined && body.user !== 'daytona')
      throw badRequest(`Local sandboxes run as the 'daytona' user: omit user (got '${body.user}').`);
    if (body.snapshot && (body.cpu || body.memory || body.disk)) {
      throw badRequest('Cannot specify Sandbox resources when using a snapshot: omit cpu/memory/disk, or create from an image.');
    }
    if (body.snapshot && body.buildInfo) throw badRequest('Specify either snapshot or an image (buildInfo), not both.');
    if (body.snapshot !== undefined && body.snapshot !== LOCAL_SNAPSHOT) {
      throw badRequest(
        `Snapshot ${body.snapshot} not found. Did you add it through the Daytona Dashboard? The local provider has one snapshot, '${LOCAL_SNAPSHOT}' (this machine's system): omit snapshot, or pass an image (recorded, not pulled).`,
      );
    }
    assertPauseCompatible(body.autoStopInterval ?? 0, body.autoPauseInterval ?? 0, body.autoDeleteInterval);
    const image = body.buildInfo?.dockerfileContent?.match(/^\s*FROM\s+(\S+)/im)?.[1];
    const record = await service.create({
      ...resolveCreateResources(body, resources, service.isolation),
      name: body.name,
      snapshot: body.snapshot,
      image,
      env: body.env,
      labels: body.labels,
      public: body.public,
      networkBlockAll: body.networkBlockAll,
      networkAllowList: body.networkAllowList,
      cpu: body.cpu,
      memory: body.memory,
      disk: body.disk,
      autoStopInterval: body.autoStopInterval,
      autoPauseInterval: body.autoPauseInterval,
      autoDestroyAt: body.ttlMinutes === undefined ? undefined : ttlDeadline(service.now(), body.ttlMinutes, service.minuteMs),
      autoArchiveInterval: body.autoArchiveInterval === undefined ? undefined : resolveAutoArchiveInterval(body.autoArchiveInterval),
      autoDeleteInterval: body.autoDeleteInterval,
    });
    res.status(200).json(service.dto(record));
  });

  router.get('/sandbox', (req, res) => {
    const page = listSandboxes(service.list(), req.query, isRecoverable);
    res.json({ items: page.items.map((record) => service.listItem(record)), nextCursor: page.nextCursor });
  });

  router.get('/sandbox/:idOrName', (req, res, next) => {
    // Daytona's runners' own call, which its router matches before this one: refused below, never "not found".
    if (req.params.idOrName === 'for-runner') return next();
    res.json(service.dto(service.get(req.params.idOrName)));
  });

  router.get('/sandbox/:idOrName/toolbox-proxy-url', (req, res) => {
    service.get(req.params.idOrName);
    res.json({ url: service.toolboxUrl() });
  });

  router.post('/sandbox/:idOrName/start', async (req, res) => {
    res.json(service.dto(await service.start(req.params.idOrName)));
  });

  router.post('/sandbox/:idOrName/stop', async (req, res) => {
    const force = req.query.force === 'true';
    res.json(service.dto(await service.stop(req.params.idOrName, force)));
  });

  router.post('/sandbox/:idOrName/recover', async (req, res) => {
    res.json(service.dto(await service.recover(req.params.idOrName, req.query.skipStart === 'true')));
  });

  router.post('/sandbox/:idOrName/archive', async (req, res) => {
    res.json(service.dto(await service.archive(req.params.idOrName)));
  });

  router.delete('/sandbox/:idOrName', async (req, res) => {
    res.json(service.dto(await service.delete(req.params.idOrName)));
  });

  router.put('/sandbox/:idOrName/labels', async (req, res) => {
    const { labels } = parseOrBadRequest(z.object({ labels: stringMap }), req.body ?? {}, 'labels');
    const record = await service.update(req.params.idOrName, (r) => {
      // The provider's flags (isolation, network): replacing labels neither drops nor forges them.
      const own = Object.entries(r.labels).filter(([key]) => PROVIDER_LABELS.includes(key));
      const userLabels = Object.entries(labels).filter(([key]) => !PROVIDER_LABELS.includes(key));
      r.labels = Object.fromEntries([...userLabels, ...own]);
    });
    res.json({ labels: record.labels });
  });

  const intervalRoute = (
    path: string,
    field: 'autoStopInterval' | 'autoPauseInterval' | 'autoArchiveInterval' | 'autoDeleteInterval',
    min: number | undefined,
  ) => {
    router.post(`/sandbox/:idOrName/${path}/:interval`, async (req, res) => {
      const schema = min === undefined ? z.coerce.number().int() : z.coerce.number().int().min(min);
      const value = parseOrBadRequest(schema, req.params.interval, `${path} interval (minutes)`);
      const resolved = field === 'autoArchiveInterval' ? resolveAutoArchiveInterval(value) : value;
      const record = await service.update(req.params.idOrName, (r) => {
        const next = { ...r, [field]: resolved };
        assertPauseCompatible(next.autoStopInterval, next.autoPauseInterval, next.autoDeleteInterval);
        r[field] = resolved;
      });
      res.status(201).json(service.dto(record));
    });
  };
  intervalRoute('autostop', 'autoStopInterval', 0);
  intervalRoute('autopause', 'autoPauseInterval', 0);
  intervalRoute('autoarchive', 'autoArchiveInterval', 0);
  intervalRoute('autodelete', 'autoDeleteInterval', undefined);

  // The TTL counts from now, whatever the state; 0 takes it off.
  router.post('/sandbox/:idOrName/ttl/:minutes', async (req, res) => {
    const ttl = parseOrBadRequest(minutes.min(0), Number(req.params.minutes), 'ttl (minutes)');
    const record = await service.update(req.params.idOrName, (r) => {
      const deadline = ttlDeadline(service.now(), ttl, service.minuteMs);
      if (deadline === undefined) delete r.autoDestroyAt;
      else r.autoDestroyAt = deadline;
    });
    res.status(201).json(service.dto(record));
  });

  router.post('/sandbox/:idOrName/pause', async (req, res) => {
    res.json(service.dto(await pause(service.transitions, req.params.idOrName)));
  });

  router.post('/sandbox/:idOrName/fork', async (req, res) => {
    const { name } = parseOrBadRequest(forkSchema, req.body ?? {}, 'fork');
    res.json(service.dto(await fork(service.transitions, req.params.idOrName, name)));
  });

  router.post('/sandbox/:idOrName/resize', async (req, res) => {
    const resources = parseOrBadRequest(resizeSchema, req.body ?? {}, 'resize');
    res.json(service.dto(await resize(service.transitions, req.params.idOrName, resources)));
  });

  lineageRoutes(router, service);

  router.post('/sandbox/:idOrName/last-activity', (req, res) => {
    service.touch(service.get(req.params.idOrName));
    res.status(201).end();
  });

  router.post('/sandbox/:idOrName/public/:isPublic', async (req, res) => {
    const isPublic = parseOrBadRequest(z.enum(['true', 'false']), req.params.isPublic, 'public flag');
    const record = await service.update(req.params.idOrName, (r) => {
      r.public = isPublic === 'true';
    });
    res.status(201).json(service.dto(record));
  });

  const previewable = (record: SandboxRecord, port: number) => {
    if (record.networkBlockAll) {
      throw conflict(
        `Sandbox ${record.id} has networkBlockAll: its ports cannot be reached. Turn it off (updateNetworkSettings({ networkBlockAll: false })) to preview.`,
      );
    }
    return assertPort(port);
  };

  router.get('/sandbox/:idOrName/ports/:port/preview-url', (req, res) => {
    const record = service.get(req.params.idOrName);
    const port = previewable(record, Number(req.params.port));
    res.json({ sandboxId: record.id, url: links.url(record.id, port), token: record.authToken });
  });

  router.get('/sandbox/:idOrName/ports/:port/signed-preview-url', (req, res) => {
    const record = service.get(req.params.idOrName);
    const port = previewable(record, Number(req.params.port));
    const seconds = parseOrBadRequest(
      z.coerce.number().int().min(1).max(MAX_SIGNED_SECONDS).default(60),
      req.query.expiresInSeconds,
      `query 'expiresInSeconds' (1 to ${MAX_SIGNED_SECONDS})`,
    );
    const signed = links.sign(record.id, port, seconds);
    res.json({ sandboxId: record.id, port, token: signed.token, url: signed.url });
  });

  router.post('/sandbox/:idOrName/ports/:port/signed-preview-url/:token/expire', (req, res) => {
    const record = service.get(req.params.idOrName);
    const port = assertPort(Number(req.params.port));
    links.expire(record.id, port, req.params.token);
    res.status(200).end();
  });

  router.post('/sandbox/:idOrName/network-settings', async (req, res) => {
    const settings = parseOrBadRequest(networkSettingsSchema, req.body ?? {}, 'network settings');
    if (settings.domainAllowList !== undefined) {
      throw badRequest(
        'domainAllowList is not supported by the local provider: allow IPv4 networks with networkAllowList instead, or use a Daytona Cloud profile.',
      );
    }
    if (settings.networkBlockAll === undefined && settings.networkAllowList === undefined) {
      throw badRequest('Set networkBlockAll or networkAllowList (or both).');
    }
    res.json(service.dto(await updateNetwork(service.transitions, req.params.idOrName, settings)));
  });

  router.use(
    refuseUnsupported('api', (path) => {
      const id = /^\/sandbox\/([^/]+)\//.exec(path)?.[1];
      if (id && id !== 'ssh-access') service.get(decodeURIComponent(id));
    }),
  );
  return router;
}

/** At most one of auto-stop and auto-pause is on, and an ephemeral sandbox does not pause (the SDK's own checks). */
function assertPauseCompatible(autoStop: number, autoPause: number, autoDelete: number | undefined): void {
  if (autoStop > 0 && autoPause > 0) {
    throw badRequest(
      'autoStopInterval and autoPauseInterval are mutually exclusive: set at most one of them to a non-zero value (turn auto-stop off with setAutostopInterval(0) first).',
    );
  }
  if (autoPause > 0 && autoDelete === 0) {
    throw badRequest(
      'Ephemeral sandboxes cannot have auto-pause enabled: set autoPauseInterval to 0, or give the sandbox an auto-delete interval other than 0.',
    );
  }
}

/** Daytona stores 0 as the maximum auto-archive interval and caps larger ones at it (resolveAutoArchiveInterval). */
function resolveAutoArchiveInterval(minutes: number): number {
  return minutes === 0 ? MAX_AUTO_ARCHIVE_MINUTES : Math.min(minutes, MAX_AUTO_ARCHIVE_MINUTES);
}
