import type { ChildProcess } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { SandboxRecord } from '../../sandbox-record.ts';
import { spawnInSandbox, type SandboxExec } from '../run-command.ts';

/** How long a language server may take to answer `initialize` (pyright indexes the project first), then any request. */
const INITIALIZE_TIMEOUT_MS = 120_000;
export const REQUEST_TIMEOUT_MS = 60_000;
const SHUTDOWN_GRACE_MS = 2000;

/**
 * The client capabilities Daytona's daemon announces (apps/daemon/pkg/toolbox/lsp): completion items with snippets and
 * documentation, and flat document symbols (no hierarchicalDocumentSymbolSupport, so servers answer with locations).
 */
const CAPABILITIES = {
  textDocument: {
    completion: {
      dynamicRegistration: true,
      completionItem: {
        snippetSupport: true,
        commitCharactersSupport: true,
        documentationFormat: ['markdown', 'plaintext'],
        deprecatedSupport: true,
        preselectSupport: true,
      },
      contextSupport: true,
    },
    documentSymbol: { dynamicRegistration: true, symbolKind: { valueSet: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] } },
  },
  workspace: { symbol: { dynamicRegistration: true } },
};

/** A request that gives up after `ms` (a language server that hangs must not hang the HTTP call). */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the language server did not answer ${what} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One language server process inside a sandbox, spoken to over JSON-RPC on its stdin/stdout. */
export class LanguageServer {
  private readonly child: ChildProcess;
  private readonly connection: MessageConnection;
  private readonly exec: SandboxExec;
  /** False once the process has exited (or was stopped). */
  alive = true;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;

  private constructor(exec: SandboxExec, child: ChildProcess) {
    this.exec = exec;
    this.child = child;
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    void this.exited.then(() => {
      this.alive = false;
      this.connection.dispose();
    });
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    child.stdin?.on('error', () => {});
    // Requests from the server (configuration, progress, capability registration) get an empty answer, as the daemon gives.
    this.connection.onRequest(() => null);
    this.connection.listen();
  }

  /** Starts `argv` in the sandbox, in `cwd`, and runs the LSP handshake with `rootPath` (as the server sees it) as the workspace. */
  static async start(
    exec: SandboxExec,
    record: SandboxRecord,
    argv: string[],
    cwd: string,
    rootPath: string,
    initializationOptions: Record<string, unknown>,
  ): Promise<LanguageServer> {
    const child = await spawnInSandbox(exec, record, argv, { cwd, env: process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {} }, [
      'pipe',
      'pipe',
      'ignore',
    ]);
    const server = new LanguageServer(exec, child);
    try {
      const initialize = server.connection.sendRequest('initialize', {
        processId: null,
        clientInfo: { name: 'daytona-tray-lsp-client', version: '0.0.1' },
        rootUri: `file://${rootPath}`,
        workspaceFolders: [{ uri: `file://${rootPath}`, name: rootPath.split('/').pop() || rootPath }],
        capabilities: CAPABILITIES,
        initializationOptions,
      });
      const ended = server.exited.then(() => {
        throw new Error('the language server exited while starting');
      });
      await within(INITIALIZE_TIMEOUT_MS, 'initialize', Promise.race([initialize, ended]));
      await server.connection.sendNotification('initialized', {});
    } catch (error) {
      server.kill();
      throw error;
    }
    return server;
  }

  request<T>(method: string, params: unknown): Promise<T> {
    if (!this.alive) return Promise.reject(new Error('the language server has exited'));
    return within(REQUEST_TIMEOUT_MS, method, this.connection.sendRequest<T>(method, params));
  }

  notify(method: string, params: unknown): Promise<void> {
    if (!this.alive) return Promise.reject(new Error('the language server has exited'));
    return this.connection.sendNotification(method, params);
  }

  /** LSP's shutdown and exit, then the process (and what it started, e.g. tsserver) is killed if still there. */
  async stop(): Promise<void> {
    if (this.alive) {
      try {
        await within(SHUTDOWN_GRACE_MS, 'shutdown', this.connection.sendRequest('shutdown'));
        await this.connection.sendNotification('exit');
        await within(SHUTDOWN_GRACE_MS, 'exit', this.exited);
      } catch {
        // killed below
      }
    }
    this.kill();
  }

  kill(): void {
    this.exec.runner.kill(this.child, 'SIGKILL');
  }
}
