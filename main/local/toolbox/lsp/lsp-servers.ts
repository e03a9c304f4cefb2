import { ApiError, badRequest } from '../../errors.ts';
import type { SandboxRecord } from '../../sandbox-record.ts';
import type { SandboxExec } from '../run-command.ts';
import { LanguageServer } from './language-server.ts';

/** The languages createLspServer takes (the SDK's LspLanguageId); javascript is served by the typescript server. */
export const LSP_LANGUAGES = ['typescript', 'javascript', 'python'] as const;
export type LspLanguage = (typeof LSP_LANGUAGES)[number];

/** What runs a language inside the sandbox: the bundled npm packages, started with the sandbox's node. */
function launch(exec: SandboxExec, language: LspLanguage): { argv: string[]; options: Record<string, unknown> } {
  const tool = (name: 'typescript-language-server' | 'typescript' | 'pyright') => {
    const path = exec.runner.toolPath(name);
    if (!path) throw new ApiError(500, `The ${name} package is missing from this installation: reinstall Daytona Tray (npm ci).`);
    return path;
  };
  if (language === 'python') return { argv: [exec.runner.nodePath, `${tool('pyright')}/langserver.index.js`, '--stdio'], options: {} };
  return {
    argv: [exec.runner.nodePath, `${tool('typescript-language-server')}/lib/cli.mjs`, '--stdio'],
    // A project's own typescript wins; the bundled one serves the rest.
    options: { tsserver: { fallbackPath: `${tool('typescript')}/lib` } },
  };
}

interface Entry {
  language: LspLanguage;
  server?: LanguageServer;
  starting?: Promise<LanguageServer>;
}

/**
 * Language servers per sandbox, one per language and project path, as Daytona's daemon keeps them. They run inside the
 * sandbox, and end with it.
 */
export class LspServers {
  private readonly bySandbox = new Map<string, Map<string, Entry>>();
  private readonly exec: SandboxExec;

  constructor(exec: SandboxExec) {
    this.exec = exec;
  }

  private key = (language: LspLanguage, pathToProject: string) => `${language}\0${pathToProject}`;

  /** Starts the server for a language and project unless it runs already. */
  async start(record: SandboxRecord, language: LspLanguage, pathToProject: string): Promise<void> {
    let servers = this.bySandbox.get(record.id);
    if (!servers) this.bySandbox.set(record.id, (servers = new Map()));
    const key = this.key(language, pathToProject);
    const entry = servers.get(key) ?? { language };
    servers.set(key, entry);
    if (entry.server?.alive) return;
    entry.starting ??= (async () => {
      const { argv, options } = launch(this.exec, language);
      const root = this.exec.runner.visiblePath(pathToProject, this.exec.service.dirsOf(record.id));
      const server = await LanguageServer.start(this.exec, record, argv, pathToProject, root, options);
      void server.exited.then(() => {
        if (servers.get(key)?.server === server) servers.delete(key);
      });
      return server;
    })();
    try {
      entry.server = await entry.starting;
    } catch (error) {
      servers.delete(key);
      throw new ApiError(500, `Could not start the ${language} language server in the sandbox: ${(error as Error).message}.`);
    } finally {
      delete entry.starting;
    }
  }

  /** The running server for a language and project, or a 400 saying to start it (as the daemon's "server not initialized"). */
  get(sandboxId: string, language: LspLanguage, pathToProject: string): LanguageServer {
    const server = this.bySandbox.get(sandboxId)?.get(this.key(language, pathToProject))?.server;
    if (!server?.alive)
      throw badRequest(`The ${language} language server for ${pathToProject} is not started: call lspServer.start() first.`);
    return server;
  }

  async stop(sandboxId: string, language: LspLanguage, pathToProject: string): Promise<void> {
    const servers = this.bySandbox.get(sandboxId);
    const entry = servers?.get(this.key(language, pathToProject));
    if (!entry) throw badRequest(`No ${language} language server runs for ${pathToProject}: nothing to stop.`);
    servers!.delete(this.key(language, pathToProject));
    await entry.server?.stop();
  }

  /** The sandbox's processes are gone: so are its servers. */
  forget(sandboxId: string): void {
    const servers = this.bySandbox.get(sandboxId);
    this.bySandbox.delete(sandboxId);
    for (const entry of servers?.values() ?? []) entry.server?.kill();
  }
}
