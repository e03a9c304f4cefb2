import type { Logger } from '../log.ts';
import type { JsonRpcMessage } from './messages.ts';
import type { MessageSink, Upstream } from './upstream.ts';

export interface InProcessOptions {
  env: NodeJS.ProcessEnv;
  log: Logger;
  onMessage: MessageSink;
  /** The tool groups this client asked for (`bridge --tools`). */
  tools?: readonly string[];
}

/**
 * The same server the tray runs, built here with the same createServer and reached through an in-memory
 * transport pair. Loaded only when needed: the SDKs cost a few hundred milliseconds to import.
 */
export async function createInProcessUpstream(options: InProcessOptions): Promise<Upstream> {
  const [{ InMemoryTransport }, { createServer }, { defaultServerDeps, sessionGroups }] = await Promise.all([
    import('@modelcontextprotocol/sdk/inMemory.js'),
    import('../server.ts'),
    import('../default-deps.ts'),
  ]);
  const deps = defaultServerDeps({ env: options.env, log: options.log });
  const server = createServer({ ...deps, groups: sessionGroups(deps.groups, options.tools) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  clientSide.onmessage = (message) => options.onMessage(message as JsonRpcMessage);
  await server.connect(serverSide);
  await clientSide.start();
  return {
    description: 'in-process',
    identity: 'in-process',
    async send(frame) {
      for (const message of Array.isArray(frame) ? frame : [frame]) await clientSide.send(message as never);
    },
    async close() {
      await server.close().catch(() => {});
      await deps.dispose();
    },
  };
}
