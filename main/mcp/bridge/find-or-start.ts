import type { Logger } from '../log.ts';
import { discoverHttpUpstream } from './discover.ts';
import type { NoServer } from './relay.ts';
import type { MessageSink, Upstream } from './upstream.ts';

export interface FindOrStartOptions {
  runtimeFile: string;
  /** The bridge's environment: credentials in it mean this client asked for its own account. */
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** The tool groups this client asked for (`bridge --tools`). */
  tools?: readonly string[];
  /** Starts the shared server (or learns that another bridge just did); says what happened, throws why not. */
  startShared(): Promise<string>;
}

/**
 * The relay's `discover`: the running server (the tray's, or one shared by the AI clients); when there is none,
 * a shared one started for every client; when that cannot be, why the tools are served in this process.
 */
export function findOrStartServer(options: FindOrStartOptions) {
  return async (onMessage: MessageSink, skip: string | undefined): Promise<Upstream | NoServer> => {
    const found = await discoverHttpUpstream(options.runtimeFile, onMessage, skip, options.tools);
    if (found) return found;
    const own = ownAccount(options.env);
    if (own) return { fallback: own };
    try {
      options.log.info(await options.startShared());
    } catch (error) {
      return { fallback: `could not start a shared MCP server (${(error as Error).message})` };
    }
    const started = await discoverHttpUpstream(options.runtimeFile, onMessage, skip, options.tools);
    return started ?? { fallback: 'the shared MCP server that was just started is not in the runtime file any more' };
  };
}

/** Why this client's environment rules out a server shared with other clients, if it does. */
function ownAccount(env: NodeJS.ProcessEnv): string | undefined {
  const named = ['DAYTONA_API_KEY', 'DAYTONA_API_URL'].filter((name) => env[name]?.trim());
  if (named.length === 0) return undefined;
  return `${named.join(' and ')} in this client's environment select${named.length === 1 ? 's' : ''} its own Daytona account, which a server shared with other clients would not use`;
}
