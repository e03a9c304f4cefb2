import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Router, json, type Request } from 'express';
import { z } from 'zod';
import { badRequest } from '../errors.ts';
import type { SandboxRecord } from '../sandbox-record.ts';
import { parseOrBadRequest } from '../validation.ts';
import { daemonShell } from './daemon-shell.ts';
import { ENV_KEY, abortOnClose, cwdExists, runInSandbox, sandboxCwd, type SandboxExec } from './run-command.ts';
import { SESSION_ID, type SessionManager } from './sessions.ts';

export interface ProcessDeps extends SandboxExec {
  sessions: SessionManager;
  recordOf(req: Request): SandboxRecord;
}

const env = z.record(
  z.string().regex(ENV_KEY, 'must be a variable name: letters, digits and underscores, not starting with a digit'),
  z.string(),
);
const timeout = z.number().int().min(0);
const command = z.string().refine((value) => value.trim().length > 0, 'must not be empty');
const executeSchema = z.object({ command, cwd: z.string().optional(), envs: env.optional(), timeout: timeout.optional() });
const codeRunSchema = z.object({
  code: z.string(),
  language: z.enum(['python', 'javascript', 'typescript']),
  argv: z.array(z.string()).optional(),
  envs: env.optional(),
  timeout: timeout.optional(),
});
const sessionExecSchema = z.object({
  command,
  runAsync: z.boolean().optional(),
  async: z.boolean().optional(),
  suppressInputEcho: z.boolean().optional(),
});

/** The shell executeCommand runs, as Daytona's daemon picks it. */
const EXECUTE_SHELL = daemonShell();
/** The system directories a sandbox sees, for finding an interpreter before running it. */
const SYSTEM_BIN_DIRS = ['/usr/local/bin', '/usr/bin', '/bin'];

/** Toolbox process routes: execute, code-run and sessions (docs/daytona-api.md §6.2). */
export function processRoutes(deps: ProcessDeps): Router {
  const router = Router();
  router.use(json({ limit: '5mb' }));

  router.post('/process/execute', async (req, res) => {
    const body = parseOrBadRequest(executeSchema, req.body ?? {}, 'execute request');
    const record = deps.recordOf(req);
    const cwd = sandboxCwd(body.cwd);
    if (!(await cwdExists(deps, record, cwd))) {
      // Daytona's daemon answers a failed start with exit code -1 and the reason as the result.
      res.json({
        exitCode: -1,
        result: `Working directory ${cwd} does not exist in the sandbox: create it first (fs.createFolder) or pass another cwd.`,
      });
      return;
    }
    // As the daemon does: the command goes to the shell's stdin (no argv size limit), non-login, non-interactive.
    const result = await runInSandbox(deps, record, [EXECUTE_SHELL], {
      cwd,
      env: body.envs,
      timeoutSec: body.timeout,
      signal: abortOnClose(res),
      stdin: body.command,
    });
    res.json({ exitCode: result.exitCode, result: result.output });
  });

  router.post('/process/code-run', async (req, res) => {
    const body = parseOrBadRequest(codeRunSchema, req.body ?? {}, 'code-run request');
    const record = deps.recordOf(req);
    const dirs = deps.service.dirsOf(record.id);
    let interpreter: string[];
    if (body.language === 'python') {
      const python = SYSTEM_BIN_DIRS.map((dir) => `${dir}/python3`).find((path) => existsSync(path));
      if (!python)
        throw badRequest(
          'No python3 interpreter is installed on this machine, so local sandboxes cannot run Python: install python3, or run javascript/typescript instead.',
        );
      interpreter = [python, '-u'];
    } else {
      // Daytona runs `node -` with the script name spliced out, so user arguments start at process.argv[1].
      interpreter = [
        deps.runner.nodePath,
        ...(body.language === 'typescript' ? ['--experimental-transform-types', '--no-warnings'] : []),
        '--import',
        'data:text/javascript,process.argv.splice(1,1)',
      ];
    }
    // .js (not .mjs): Node picks CommonJS or ES modules from the code itself, as it does for `node -`.
    const ext = { python: 'py', javascript: 'js', typescript: 'ts' }[body.language];
    const name = `.daytona-code-${randomBytes(8).toString('hex')}.${ext}`;
    const hostFile = join(dirs.tmp, name);
    const sandboxFile = deps.runner.visiblePath(`/tmp/${name}`, dirs);
    await writeFile(hostFile, body.code, { mode: 0o600 });
    try {
      const result = await runInSandbox(deps, record, [...interpreter, sandboxFile, ...(body.argv ?? [])], {
        env: { ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}), ...body.envs },
        timeoutSec: body.timeout,
        signal: abortOnClose(res),
      });
      res.json({ exitCode: result.exitCode, result: result.output, artifacts: { stdout: result.output, charts: [] } });
    } finally {
      await rm(hostFile, { force: true });
    }
  });

  // ── sessions ──
  const sessionId = (value: unknown) => {
    const id = String(value ?? '');
    if (!SESSION_ID.test(id))
      throw badRequest(
        `Invalid session id '${id}': use 1-128 letters, digits, dots, dashes or underscores, starting with a letter or digit.`,
      );
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

  router.delete('/process/session/:sessionId', async (req, res) => {
    await deps.sessions.delete(deps.recordOf(req).id, sessionId(req.params.sessionId));
    res.status(204).end();
  });

  router.post('/process/session/:sessionId/exec', async (req, res) => {
    const body = parseOrBadRequest(sessionExecSchema, req.body ?? {}, 'session command');
    const record = deps.recordOf(req);
    const id = sessionId(req.params.sessionId);
    const runAsync = Boolean(body.runAsync || body.async);
    const command = await deps.sessions.execute(record, id, body.command, { runAsync, suppressInputEcho: body.suppressInputEcho ?? false });
    if (runAsync) {
      res.status(202).json({ cmdId: command.id });
      return;
    }
    const exitCode = await command.done;
    const logs = await deps.sessions.logs(record.id, id, command.id);
    res.json({ cmdId: command.id, ...(exitCode !== undefined ? { exitCode } : {}), ...logs });
  });

  router.get('/process/session/:sessionId/command/:commandId', (req, res) => {
    res.json(deps.sessions.describeCommand(deps.recordOf(req).id, sessionId(req.params.sessionId), req.params.commandId));
  });

  router.get('/process/session/:sessionId/command/:commandId/logs', async (req, res) => {
    res.json(await deps.sessions.logs(deps.recordOf(req).id, sessionId(req.params.sessionId), req.params.commandId));
  });

  router.post('/process/session/:sessionId/command/:commandId/input', async (req, res) => {
    const body = parseOrBadRequest(z.object({ data: z.string() }), req.body ?? {}, 'input request');
    await deps.sessions.sendInput(deps.recordOf(req).id, sessionId(req.params.sessionId), req.params.commandId, body.data);
    res.status(204).end();
  });

  return router;
}
