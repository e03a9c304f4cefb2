import { Router, json, type Request } from 'express';
import { z } from 'zod';
import { badRequest } from '../../errors.ts';
import type { SandboxRecord } from '../../sandbox-record.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { ENV_KEY, abortOnClose, runInSandbox, type SandboxExec } from '../run-command.ts';
import type { DaemonEnv } from './daemon-env.ts';
import { listeningPorts } from './listening-ports.ts';

export interface ServerRouteDeps extends SandboxExec {
  daemonEnv: DaemonEnv;
  /** What GET /version reports: this provider's version (there is no separate daemon). */
  version: string;
  recordOf(req: Request): SandboxRecord;
}

const envName = z.string().regex(ENV_KEY, 'must be a variable name: letters, digits and underscores, not starting with a digit');

/** The daemon's own routes: /env (its process environment), /version, and the ports the sandbox listens on. */
export function serverRoutes(deps: ServerRouteDeps): Router {
  const router = Router();

  router.post('/env', json({ limit: '1mb' }), (req, res) => {
    const body = parseOrBadRequest(
      z.object({
        set: z.record(envName, z.string()).optional(),
        unset: z.array(envName).optional(),
        unsetValuePrefix: z.string().optional(),
      }),
      req.body ?? {},
      'env update',
    );
    const record = deps.recordOf(req);
    deps.daemonEnv.update(record.id, record.env, body);
    res.json({ message: 'Environment updated' });
  });

  router.get('/version', (_req, res) => {
    res.json({ version: deps.version });
  });

  const ports = async (req: Request, res: Parameters<typeof abortOnClose>[0]) => {
    // Read inside the sandbox: /proc/net/tcp* shows the listening sockets of the network namespace it runs in.
    const result = await runInSandbox(deps, deps.recordOf(req), ['cat', '/proc/net/tcp', '/proc/net/tcp6'], {
      timeoutSec: 10,
      signal: abortOnClose(res),
    });
    return listeningPorts(result.stdout);
  };

  router.get('/port', async (req, res) => {
    res.json({ ports: await ports(req, res) });
  });

  router.get('/port/:port/in-use', async (req, res) => {
    const port = Number(req.params.port);
    // The daemon's own bounds for this call (the range its preview ports are checked in).
    if (!Number.isInteger(port)) throw badRequest('Invalid port: must be a number between 3000 and 9999.');
    if (port < 3000 || port > 9999) throw badRequest('Port out of range: must be between 3000 and 9999.');
    res.json({ isInUse: (await ports(req, res)).includes(port) });
  });

  return router;
}
