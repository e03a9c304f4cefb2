import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Router, json, type Request, type Response } from 'express';
import { z } from 'zod';
import { badRequest } from '../errors.ts';
import type { SandboxRecord } from '../sandbox-record.ts';
import { parseOrBadRequest } from '../validation.ts';
import { runInSandbox, type SandboxExec } from './run-command.ts';
import type { SessionManager } from './sessions.ts';

export interface ProcessDeps extends SandboxExec {
  sessions: SessionManager;
  recordOf(req: Request): SandboxRecord;
}

const env = z.record(z.string(), z.string());
const timeout = z.number().int().min(0);
const executeSchema = z.object({ command: z.string().min(1), cwd: z.string().optional(), envs: env.optional(), timeout: timeout.optional() });
const codeRunSchema = z.object({
  code: z.string(),
  language: z.enum(['python', 'javascript', 'typescript']),
  argv: z.array(z.string()).optional(),
  envs: env.optional(),
  timeout: timeout.optional(),
});
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const sessionExecSchema = z.object({
  command: z.string().min(1),
  runAsync: z.boolean().optional(),
  async: z.boolean().optional(),
  suppressInputEcho: z.boolean().optional(),
});

/** Kills the command if the client goes away before it finishes. */
function abortOnClose(req: Request, res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => { if (!res.writableFinished) controller.abort(); });
  void req;
  return controller.signal;
}

/** Toolbox process routes: execute, code-run and sessions (daytona-api.md §6.2). */
export function processRoutes(deps: ProcessDeps): Router {
  const router = Router();
  router.use(json({ limit: '5mb' }));

  router.post('/process/execute', async (req, res) => {
    const body = parseOrBadRequest(executeSchema, req.body ?? {}, 'execute request');
    const record = deps.recordOf(req);
    const result = await runInSandbox(deps, record, ['/bin/sh', '-c', body.command], {
      cwd: body.cwd, env: body.envs, timeoutSec: body.timeout, signal: abortOnClose(req, res),
    });
    res.json({ exitCode: result.exitCode, result: result.output });
  });

  router.post('/process/code-run', async (req, res) => {
    const body = parseOrBadRequest(codeRunSchema, req.body ?? {}, 'code-run request');
    const record = deps.recordOf(req);
    const tmp = deps.service.dirsOf(record.id).tmp;
    const ext = { python: 'py', javascript: 'mjs', typescript: 'ts' }[body.language];
    const name = `.daytona-code-${randomBytes(6).toString('hex')}.${ext}`;
    const hostFile = join(tmp, name);
    const sandboxFile = deps.runner.visiblePath(`/tmp/${name}`, deps.service.dirsOf(record.id));
    await writeFile(hostFile, body.code, { mode: 0o644 });
    try {
      const interpreter = body.language === 'python' ? ['python3'] : [deps.runner.nodePath, ...(body.language === 'typescript' ? ['--experimental-strip-types', '--no-warnings'] : [])];
      const result = await runInSandbox(deps, record, [...interpreter, sandboxFile, ...(body.argv ?? [])], {
        env: { ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}), ...body.envs },
        timeoutSec: body.timeout,
        signal: abortOnClose(req, res),
      });
      if (result.exitCode === 127 && /not found/.test(result.output)) {
        throw badRequest(`No ${body.language} interpreter is available in local sandboxes on this machine: install ${interpreter[0]} or use another language.`);
      }
      res.json({ exitCode: result.exitCode, result: result.output, artifacts: { stdout: result.output, charts: [] } });
    } finally {
      await rm(hostFile, { force: true });
    }
  });

  // ── sessions ──
  const sessionId = (value: unknown) => {
    const id = String(value ?? '');
    if (!SESSION_ID.test(id)) throw badRequest(`Invalid session id '${id}': use 1-128 letters, digits, dots, dashes or underscores.`);
    return id;
  };

  router.get('/process/session', (req, res) => {
    res.json(deps.sessions.list(deps.recordOf(req).id));
  });

  router.post('/process/session', async (req, res) => {
    const body = parseOrBadRequest(z.object({ sessionId: z.string() }), req.body ?? {}, 'session request');
    await deps.sessions.create(deps.recordOf(req), sessionId(body.sessionId));
    res.status(201).end();
  });

  // The local provider has no image entrypoint: an empty session stands in for it.
  router.get('/process/session/entrypoint', (_req, res) => {
    res.json({ sessionId: 'entrypoint', commands: [] });
  });
  router.get('/process/session/entrypoint/logs', (_req, res) => {
    res.json({ output: '', stdout: '', stderr: '' });
  });

  router.get('/process/session/:sessionId', (req, res) => {
    res.json(deps.sessions.describe(deps.recordOf(req).id, sessionId(req.params.sessionId)));
  });

  router.delete('/process/session/:sessionId', (req, res) => {
    deps.sessions.delete(deps.recordOf(req).id, sessionId(req.params.sessionId));
    res.status(204).end();
  });

  router.post('/process/session/:sessionId/exec', async (req, res) => {
    const body = parseOrBadRequest(sessionExecSchema, req.body ?? {}, 'session command');
    const record = deps.recordOf(req);
    const command = deps.sessions.execute(record, sessionId(req.params.sessionId), body.command);
    if (body.runAsync || body.async) {
      res.status(202).json({ cmdId: command.id });
      return;
    }
    const exitCode = await command.done;
    const logs = await deps.sessions.logs(record.id, sessionId(req.params.sessionId), command.id);
    res.json({ cmdId: command.id, ...(exitCode !== undefined ? { exitCode } : {}), ...logs });
  });

  router.get('/process/session/:sessionId/command/:commandId', (req, res) => {
    const command = deps.sessions.command(deps.recordOf(req).id, sessionId(req.params.sessionId), req.params.commandId);
    res.json({ id: command.id, command: command.command, ...(command.exitCode !== undefined ? { exitCode: command.exitCode } : {}) });
  });

  router.get('/process/session/:sessionId/command/:commandId/logs', async (req, res) => {
    res.json(await deps.sessions.logs(deps.recordOf(req).id, sessionId(req.params.sessionId), req.params.commandId));
  });

  router.post('/process/session/:sessionId/command/:commandId/input', (req, res) => {
    const body = parseOrBadRequest(z.object({ data: z.string() }), req.body ?? {}, 'input request');
    deps.sessions.sendInput(deps.recordOf(req).id, sessionId(req.params.sessionId), req.params.commandId, body.data);
    res.status(204).end();
  });

  return router;
}
