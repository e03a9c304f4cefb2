import { readFile } from 'node:fs/promises';
import { Router, json, type Request } from 'express';
import { z } from 'zod';
import { ApiError, badRequest } from '../../errors.ts';
import type { SandboxRecord } from '../../sandbox-record.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { cwdExists, type SandboxExec } from '../run-command.ts';
import { resolveSandboxPath } from '../sandbox-paths.ts';
import { completionList, lspSymbols, type LspSymbol } from './lsp-results.ts';
import { LSP_LANGUAGES, type LspServers } from './lsp-servers.ts';
import { uriMapping } from './uri-mapping.ts';

export interface LspRouteDeps extends SandboxExec {
  lsp: LspServers;
  recordOf(req: Request): SandboxRecord;
}

const language = z.enum(LSP_LANGUAGES, { message: `must be one of ${LSP_LANGUAGES.join(', ')}` });
const projectPath = z.string().startsWith('/', 'must be an absolute path in the sandbox');
const server = z.object({ languageId: language, pathToProject: projectPath });
const fileUri = z.string().startsWith('file:///', 'must be a file:// URI of an absolute path');
const position = z.object({ line: z.number().int().min(0), character: z.number().int().min(0) });

/** A language server's failure (an error answer, a timeout) as the daemon reports it: 400 with the reason. */
async function ask<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw badRequest(`The language server could not answer: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The LSP routes (apps/daemon/pkg/toolbox/lsp): one language server per language and project, inside the sandbox. */
export function lspRoutes(deps: LspRouteDeps): Router {
  const router = Router();
  router.use('/lsp', json({ limit: '1mb' }));
  const mapping = (req: Request) => uriMapping(deps.runner.visiblePath, deps.service.dirsOf(deps.recordOf(req).id));
  const serverUri = (req: Request, uri: string) => `file://${mapping(req).toServer(decodeURIComponent(uri.slice('file://'.length)))}`;
  const located = (req: Request, symbols: LspSymbol[]) =>
    symbols.map((symbol) => ({ ...symbol, location: { ...symbol.location, uri: mapping(req).fromServer(symbol.location.uri) } }));

  router.post('/lsp/start', async (req, res) => {
    const body = parseOrBadRequest(server, req.body ?? {}, 'LSP start request');
    if (!(await cwdExists(deps, deps.recordOf(req), body.pathToProject)))
      throw badRequest(
        `Project folder ${body.pathToProject} does not exist in the sandbox: create it first (fs.createFolder) or pass another path.`,
      );
    await deps.lsp.start(deps.recordOf(req), body.languageId, body.pathToProject);
    res.status(200).end();
  });

  router.post('/lsp/stop', async (req, res) => {
    const body = parseOrBadRequest(server, req.body ?? {}, 'LSP stop request');
    await deps.lsp.stop(deps.recordOf(req).id, body.languageId, body.pathToProject);
    res.status(200).end();
  });

  router.post('/lsp/did-open', async (req, res) => {
    const body = parseOrBadRequest(server.extend({ uri: fileUri }), req.body ?? {}, 'didOpen request');
    const lsp = deps.lsp.get(deps.recordOf(req).id, body.languageId, body.pathToProject);
    // As the daemon does: the server is told the file's content as it is on disk now.
    const resolved = await resolveSandboxPath(
      deps.service.dirsOf(deps.recordOf(req).id),
      decodeURIComponent(body.uri.slice('file://'.length)),
    );
    const text = await readFile(resolved.hostPath, 'utf8').catch(() => {
      throw badRequest(`Cannot open ${resolved.sandboxPath} for the language server: no such file in the sandbox.`, 'FILE_NOT_FOUND');
    });
    await ask(
      lsp.notify('textDocument/didOpen', {
        textDocument: { uri: serverUri(req, body.uri), languageId: body.languageId, version: 1, text },
      }),
    );
    res.status(200).end();
  });

  router.post('/lsp/did-close', async (req, res) => {
    const body = parseOrBadRequest(server.extend({ uri: fileUri }), req.body ?? {}, 'didClose request');
    const lsp = deps.lsp.get(deps.recordOf(req).id, body.languageId, body.pathToProject);
    await ask(lsp.notify('textDocument/didClose', { textDocument: { uri: serverUri(req, body.uri) } }));
    res.status(200).end();
  });

  router.post('/lsp/completions', async (req, res) => {
    const body = parseOrBadRequest(
      server.extend({
        uri: fileUri,
        position,
        context: z.object({ triggerKind: z.number().int(), triggerCharacter: z.string().optional() }).optional(),
      }),
      req.body ?? {},
      'completions request',
    );
    const lsp = deps.lsp.get(deps.recordOf(req).id, body.languageId, body.pathToProject);
    const result = await ask(
      lsp.request('textDocument/completion', {
        textDocument: { uri: serverUri(req, body.uri) },
        position: body.position,
        ...(body.context ? { context: body.context } : {}),
      }),
    );
    res.json(completionList(result));
  });

  router.get('/lsp/document-symbols', async (req, res) => {
    const query = parseOrBadRequest(server.extend({ uri: fileUri }), req.query, 'documentSymbols query');
    const lsp = deps.lsp.get(deps.recordOf(req).id, query.languageId, query.pathToProject);
    const symbols = await ask(lsp.request('textDocument/documentSymbol', { textDocument: { uri: serverUri(req, query.uri) } }));
    res.json(located(req, lspSymbols(symbols, serverUri(req, query.uri))));
  });

  router.get('/lsp/workspacesymbols', async (req, res) => {
    const query = parseOrBadRequest(server.extend({ query: z.string().min(1, 'is required') }), req.query, 'workspaceSymbols query');
    const lsp = deps.lsp.get(deps.recordOf(req).id, query.languageId, query.pathToProject);
    res.json(located(req, lspSymbols(await ask(lsp.request('workspace/symbol', { query: query.query })), '')));
  });

  return router;
}
