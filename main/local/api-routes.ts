import { Router, json } from 'express';
import { z } from 'zod';
import { badRequest, conflict } from './errors.ts';
import { MAX_SIGNED_SECONDS, type PreviewLinks } from './preview/preview-links.ts';
import { PROVIDER_LABELS, SANDBOX_STATES, type SandboxRecord, type SandboxState } from './sandbox-record.ts';
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
  autoArchiveInterval: minutes.min(0).optional(),
  autoDeleteInterval: minutes.optional(),
  networkBlockAll: z.boolean().optional(),
  networkAllowList: z.string().optional(),
  buildInfo: z.object({ dockerfileContent: z.string().optional() }).optional(),
  volumes: z.array(z.unknown()).optional(),
});

const SORT_FIELDS = {
  name: 'name',
  cpu: 'cpu',
  memoryGib: 'memory',
  diskGib: 'disk',
  lastActivityAt: 'lastActivityAt',
  createdAt: 'createdAt',
} as const;

const asArray = (value: unknown) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);
const listSchema = z.object({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  id: z.string().optional(),
  name: z.string().optional(),
  labels: z.string().optional(),
  states: z.preprocess(asArray, z.array(z.enum(SANDBOX_STATES)).optional()),
  snapshots: z.preprocess(asArray, z.array(z.string()).optional()),
  sort: z.enum(Object.keys(SORT_FIELDS) as [keyof typeof SORT_FIELDS]).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
});

const networkSettingsSchema = z.object({
  networkBlockAll: z.boolean().optional(),
  networkAllowList: z.string().optional(),
  domainAllowList: z.string().optional(),
});

const cursorSchema = z.object({ o: z.number().int().min(0) });

/** The main API routes the SDK uses (docs/daytona-api.md §3), mounted under /api behind the bearer check. */
export function apiRoutes(service: SandboxService, links: PreviewLinks): Router {
  const router = Router();
  router.use(json({ limit: '1mb' }));

  router.post('/sandbox', async (req, res) => {
    const body = parseOrBadRequest(createSchema, req.body ?? {}, 'sandbox');
    if (body.gpu) throw badRequest('GPUs are not available on the local provider: omit gpu, or use a Daytona Cloud profile.');
    if (body.volumes?.length)
      throw badRequest('Volumes are not supported by the local provider: omit volumes, or use a Daytona Cloud profile.');
    if (body.user !== undefined && body.user !== 'daytona')
      throw badRequest(`Local sandboxes run as the 'daytona' user: omit user (got '${body.user}').`);
    if (body.snapshot && (body.cpu || body.memory || body.disk)) {
      throw badRequest('Cannot specify Sandbox resources when using a snapshot: omit cpu/memory/disk, or create from an image.');
    }
    if (body.snapshot && body.buildInfo) throw badRequest('Specify either snapshot or an image (buildInfo), not both.');
    const image = body.buildInfo?.dockerfileContent?.match(/^\s*FROM\s+(\S+)/im)?.[1];
    const record = await service.create({
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
      autoArchiveInterval: body.autoArchiveInterval,
      autoDeleteInterval: body.autoDeleteInterval,
    });
    res.status(200).json(service.dto(record));
  });

  router.get('/sandbox', (req, res) => {
    const query = parseOrBadRequest(listSchema, req.query, 'query');
    let labels: Record<string, string> | undefined;
    if (query.labels !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(query.labels);
      } catch {
        throw badRequest(`Invalid query: 'labels' must be a JSON object such as {"app":"web"} (got ${query.labels}).`);
      }
      labels = parseOrBadRequest(stringMap, parsed, 'query labels');
    }
    let offset = 0;
    if (query.cursor) {
      try {
        offset = cursorSchema.parse(JSON.parse(Buffer.from(query.cursor, 'base64url').toString())).o;
      } catch {
        throw badRequest("Invalid query: 'cursor' is not a cursor this server returned. Start again without a cursor.");
      }
    }
    const states = query.states ? new Set<SandboxState>(query.states) : undefined;
    const matches = service
      .list()
      .filter(
        (record) =>
          (!query.id || record.id.startsWith(query.id)) &&
          (!query.name || record.name.startsWith(query.name)) &&
          (!states || states.has(record.state)) &&
          (!query.snapshots || (record.snapshot !== undefined && query.snapshots.includes(record.snapshot))) &&
          (!labels || Object.entries(labels).every(([key, value]) => record.labels[key] === value)),
      );
    const field = SORT_FIELDS[query.sort];
    const direction = query.order === 'asc' ? 1 : -1;
    matches.sort((a, b) => direction * (compare(a[field], b[field]) || compare(a.id, b.id)));
    const page = matches.slice(offset, offset + query.limit);
    const next = offset + query.limit;
    res.json({
      items: page.map((record) => service.listItem(record)),
      nextCursor: next < matches.length ? Buffer.from(JSON.stringify({ o: next })).toString('base64url') : null,
    });
  });

  router.get('/sandbox/:idOrName', (req, res) => {
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
    field: 'autoStopInterval' | 'autoArchiveInterval' | 'autoDeleteInterval',
    min: number | undefined,
  ) => {
    router.post(`/sandbox/:idOrName/${path}/:interval`, async (req, res) => {
      const schema = min === undefined ? z.coerce.number().int() : z.coerce.number().int().min(min);
      const value = parseOrBadRequest(schema, req.params.interval, `${path} interval (minutes)`);
      const record = await service.update(req.params.idOrName, (r) => {
        r[field] = value;
      });
      res.status(201).json(service.dto(record));
    });
  };
  intervalRoute('autostop', 'autoStopInterval', 0);
  intervalRoute('autoarchive', 'autoArchiveInterval', 0);
  intervalRoute('autodelete', 'autoDeleteInterval', undefined);

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
    res.json(service.dto(await service.updateNetwork(req.params.idOrName, settings)));
  });

  return router;
}

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
