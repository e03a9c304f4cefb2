import { Router, json, type Request } from 'express';
import { z } from 'zod';
import { badRequest } from '../../errors.ts';
import type { SandboxRecord } from '../../sandbox-record.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { ENV_KEY } from '../run-command.ts';
import type { PtySessions } from './pty-sessions.ts';

export interface PtyRouteDeps {
  ptys: PtySessions;
  recordOf(req: Request): SandboxRecord;
}

const size = z.number().int();
const createSchema = z.object({
  id: z.string(),
  cwd: z.string().optional(),
  envs: z
    .record(z.string().regex(ENV_KEY, 'must be a variable name: letters, digits and underscores, not starting with a digit'), z.string())
    .optional(),
  cols: size.optional(),
  rows: size.optional(),
  lazyStart: z.boolean().optional(),
});
const resizeSchema = z.object({ cols: size, rows: size });

/** Toolbox PTY routes (the WebSocket ones, create-connect and connect, are in pty-socket.ts). */
export function ptyRoutes(deps: PtyRouteDeps): Router {
  const router = Router();
  router.use('/process/pty', json({ limit: '1mb' }));

  router.get('/process/pty', (req, res) => {
    res.json({ sessions: deps.ptys.list(deps.recordOf(req).id) });
  });

  router.post('/process/pty', async (req, res) => {
    const body = parseOrBadRequest(createSchema, req.body ?? {}, 'PTY create request');
    const session = await deps.ptys.create(deps.recordOf(req), body);
    res.status(201).json({ sessionId: session.info.id });
  });

  // The WebSocket routes, asked for without an upgrade.
  const wantsSocket = () => {
    throw badRequest('This PTY route is a WebSocket: connect with process.createPty() or process.connectPty().');
  };
  router.get('/process/pty/create-connect', wantsSocket);
  router.get('/process/pty/:sessionId/connect', wantsSocket);

  router.get('/process/pty/:sessionId', (req, res) => {
    res.json({ ...deps.ptys.get(deps.recordOf(req).id, String(req.params.sessionId)).info });
  });

  router.delete('/process/pty/:sessionId', (req, res) => {
    deps.ptys.kill(deps.recordOf(req).id, String(req.params.sessionId));
    res.json({ message: 'PTY session deleted' });
  });

  router.post('/process/pty/:sessionId/resize', (req, res) => {
    const body = parseOrBadRequest(resizeSchema, req.body ?? {}, 'PTY resize request');
    res.json(deps.ptys.resize(deps.recordOf(req).id, String(req.params.sessionId), body.cols, body.rows));
  });

  return router;
}
