import { Router, json, type Request } from 'express';
import { z } from 'zod';
import { badRequest } from '../../errors.ts';
import { SANDBOX_HOME, type SandboxRecord } from '../../sandbox-record.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { cwdExists, sandboxCwd, type SandboxExec } from '../run-command.ts';
import type { InterpreterContexts } from './contexts.ts';

export interface InterpreterRouteDeps extends SandboxExec {
  contexts: InterpreterContexts;
  recordOf(req: Request): SandboxRecord;
}

/** The code interpreter's contexts (create, list, delete); executions come over a WebSocket (execute-socket.ts). */
export function interpreterRoutes(deps: InterpreterRouteDeps): Router {
  const router = Router();

  router.post('/process/interpreter/context', json({ limit: '64kb' }), async (req, res) => {
    const body = parseOrBadRequest(
      z.object({ cwd: z.string().optional(), language: z.string().optional() }),
      req.body ?? {},
      'interpreter context request',
    );
    const language = body.language ?? 'python';
    if (language !== 'python')
      throw badRequest(
        `Unsupported language: ${language} (only 'python' is supported currently): run other languages with process.codeRun().`,
      );
    const record = deps.recordOf(req);
    const cwd = sandboxCwd(body.cwd ?? SANDBOX_HOME);
    if (!(await cwdExists(deps, record, cwd)))
      throw badRequest(`Working directory ${cwd} does not exist in the sandbox: create it first (fs.createFolder) or pass another cwd.`);
    res.json(await deps.contexts.create(record, cwd));
  });

  router.get('/process/interpreter/context', (req, res) => {
    res.json({ contexts: deps.contexts.list(deps.recordOf(req).id) });
  });

  router.delete('/process/interpreter/context/:id', (req, res) => {
    deps.contexts.delete(deps.recordOf(req).id, String(req.params.id));
    res.json({ message: 'Context deleted successfully' });
  });

  // The execute call is a WebSocket (execute-socket.ts); a plain request gets the daemon's 400 for a failed upgrade.
  router.get('/process/interpreter/execute', () => {
    throw badRequest('This is a WebSocket endpoint: connect with a WebSocket upgrade (codeInterpreter.runCode does).');
  });

  return router;
}
