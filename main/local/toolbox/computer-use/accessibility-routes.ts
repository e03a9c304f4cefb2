import type { Request, Router } from 'express';
import { z } from 'zod';
import { parseOrBadRequest } from '../../validation.ts';
import type { Desktop } from './desktop.ts';

const scope = z.string().max(20).optional();
const pid = z.coerce.number().int().optional();
const treeQuery = z.object({ scope, pid, maxDepth: z.coerce.number().int().min(-1).max(10_000).optional() });
const findBody = z.object({
  scope,
  pid,
  role: z.string().max(200).optional(),
  name: z.string().max(10_000).optional(),
  nameMatch: z.string().max(20).optional(),
  states: z.array(z.string().max(50)).max(50).optional(),
  limit: z.number().int().optional(),
});
const nodeId = z.string().min(1).max(2048);
const nodeBody = z.object({ id: nodeId });
const invokeBody = z.object({ id: nodeId, action: z.string().max(200).optional() });
const valueBody = z.object({ id: nodeId, value: z.string().max(1_000_000).optional() });

/**
 * The toolbox's accessibility routes (/computeruse/a11y/*), as the SDK's computerUse.accessibility calls
 * them, answered from the desktop's AT-SPI bus with Daytona's shapes: the tree defaults to the focused
 * application and unbounded depth (maxDepth -1; 0 is the root alone); focus, invoke and value answer `{}`.
 */
export function addAccessibilityRoutes(router: Router, desktopOf: (req: Request) => Desktop): void {
  router.get('/computeruse/a11y/tree', async (req, res) => {
    const query = parseOrBadRequest(treeQuery, req.query, 'accessibility tree');
    res.json(await desktopOf(req).accessibility.call({ op: 'tree', scope: query.scope, pid: query.pid, maxDepth: query.maxDepth ?? -1 }));
  });
  router.post('/computeruse/a11y/find', async (req, res) => {
    const body = parseOrBadRequest(findBody, req.body ?? {}, 'accessibility find');
    res.json(await desktopOf(req).accessibility.call({ op: 'find', ...body }));
  });
  router.post('/computeruse/a11y/node/focus', async (req, res) => {
    const body = parseOrBadRequest(nodeBody, req.body ?? {}, 'accessibility focus');
    res.json(await desktopOf(req).accessibility.call({ op: 'focus', id: body.id }));
  });
  router.post('/computeruse/a11y/node/invoke', async (req, res) => {
    const body = parseOrBadRequest(invokeBody, req.body ?? {}, 'accessibility invoke');
    res.json(await desktopOf(req).accessibility.call({ op: 'invoke', ...body }));
  });
  router.post('/computeruse/a11y/node/value', async (req, res) => {
    const body = parseOrBadRequest(valueBody, req.body ?? {}, 'accessibility set value');
    res.json(await desktopOf(req).accessibility.call({ op: 'value', id: body.id, value: body.value ?? '' }));
  });
}
