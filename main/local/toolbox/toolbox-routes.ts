import { statfs } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';
import { Router, type Request } from 'express';
import { RUNNING_STATES, SANDBOX_HOME, type SandboxRecord } from '../sandbox-record.ts';
import type { SandboxService } from '../sandbox-service.ts';
import type { SandboxRunner } from '../sandbox-runner/index.ts';
import { computerUseRoutes } from './computer-use/routes.ts';
import type { Desktops } from './computer-use/desktops.ts';
import { filesRoutes } from './files/routes.ts';
import { gitRoutes } from './git/routes.ts';
import type { InterpreterContexts } from './interpreter/contexts.ts';
import { interpreterRoutes } from './interpreter/routes.ts';
import type { LspServers } from './lsp/lsp-servers.ts';
import { lspRoutes } from './lsp/routes.ts';
import { processRoutes } from './process-routes.ts';
import { ptyRoutes } from './pty/pty-routes.ts';
import type { PtySessions } from './pty/pty-sessions.ts';
import type { DaemonEnv } from './server/daemon-env.ts';
import { serverRoutes } from './server/server-routes.ts';
import type { SandboxExec } from './run-command.ts';
import type { SessionManager } from './sessions.ts';
import { refuseUnsupported } from '../unsupported.ts';

export interface ToolboxDeps extends SandboxExec {
  service: SandboxService;
  runner: SandboxRunner;
  sessions: SessionManager;
  ptys: PtySessions;
  desktops: Desktops;
  maxUploadBytes: number;
  daemonEnv: DaemonEnv;
  interpreters: InterpreterContexts;
  lsp: LspServers;
  /** What GET /version reports. */
  version: string;
}

/** Toolbox reads that do not count as activity (the path under /{sandboxId}). */
const LOOKS = new Set(['/computeruse/status', '/computeruse/process-status']);

/** Everything under {toolboxProxyUrl}/{sandboxId}/…: the sandbox must exist and be started. */
export function toolboxRoutes(deps: ToolboxDeps): Router {
  const router = Router();
  const sandboxes = new WeakMap<Request, SandboxRecord>();
  const recordOf = (req: Request) => {
    const record = sandboxes.get(req);
    if (!record) throw new Error('toolbox route used without a sandbox');
    return record;
  };

  router.use('/:sandboxId', (req, _res, next) => {
    const id = String(req.params.sandboxId);
    // Asking whether a desktop runs is a look, not use: the tray's window asks it of every started sandbox
    // while it is visible, which must not keep them all from auto-stopping. Any other call counts as activity.
    const record = req.method === 'GET' && LOOKS.has(req.path) ? deps.service.get(id) : undefined;
    sandboxes.set(req, record && RUNNING_STATES.has(record.state) ? record : deps.service.requireStarted(id));
    next();
  });

  const inner = Router();
  inner.get('/user-home-dir', (_req, res) => {
    res.json({ dir: SANDBOX_HOME });
  });
  inner.get('/work-dir', (_req, res) => {
    res.json({ dir: SANDBOX_HOME });
  });
  inner.get('/system/metrics', async (req, res) => {
    const disk = await statfs(deps.service.dirsOf(recordOf(req).id).home);
    const now = new Date();
    // Local sandboxes share the host: these are the host's figures, capped by the sandbox's nominal size.
    res.json({
      cpuCount: Math.min(cpus().length, recordOf(req).cpu),
      cpuUsedPct: 0,
      memTotal: totalmem(),
      memUsed: totalmem() - freemem(),
      memCache: 0,
      diskTotal: disk.blocks * disk.bsize,
      diskUsed: (disk.blocks - disk.bfree) * disk.bsize,
      diskFree: disk.bavail * disk.bsize,
      timestamp: now.toISOString(),
      timestampUnix: Math.floor(now.getTime() / 1000),
    });
  });
  inner.use(
    filesRoutes({
      dirsOf: (req) => deps.service.dirsOf(recordOf(req).id),
      openRoot: (req) => deps.service.access.openRoot(recordOf(req).id),
      maxUploadBytes: deps.maxUploadBytes,
    }),
  );
  inner.use(processRoutes({ ...deps, recordOf }));
  inner.use(ptyRoutes({ ptys: deps.ptys, recordOf }));
  inner.use(interpreterRoutes({ ...deps, contexts: deps.interpreters, recordOf }));
  inner.use(gitRoutes({ ...deps, recordOf }));
  inner.use(serverRoutes({ ...deps, recordOf }));
  inner.use(lspRoutes({ ...deps, recordOf }));
  inner.use(computerUseRoutes({ desktops: deps.desktops, recordOf }));
  // Last: Daytona operations this provider does not do answer 422 naming them (routes added above come first).
  inner.use(refuseUnsupported('toolbox'));
  router.use('/:sandboxId', inner);
  return router;
}
