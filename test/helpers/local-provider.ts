import { Daytona } from '@daytonaio/sdk';
import { startLocalProvider, type LocalProvider, type LocalProviderOptions } from '../../main/local/provider.ts';
import { tempDir } from './temp-dir.ts';

export interface TestProvider {
  provider: LocalProvider;
  dataDir: string;
  /** An unmodified SDK client pointed at the provider; disposed by stop(). */
  daytona: Daytona;
  /** Raw HTTP against the provider, authenticated unless `auth: false`. */
  request(path: string, init?: RequestInit & { auth?: boolean | string }): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * A provider started while `vars` are in the environment: the sandbox runner reads DAYTONA_TRAY_NO_BWRAP and
 * DAYTONA_TRAY_BWRAP_LAYOUT once, when the provider starts, so they are set only for that moment.
 */
export async function startTestProviderWithEnv(
  vars: Record<string, string>,
  options: Partial<LocalProviderOptions> = {},
): Promise<TestProvider> {
  const previous = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  Object.assign(process.env, vars);
  try {
    return await startTestProvider(options);
  } finally {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** A provider that runs sandboxes as plain processes, as on a machine without bubblewrap. */
export const startPlainTestProvider = (options: Partial<LocalProviderOptions> = {}) =>
  startTestProviderWithEnv({ DAYTONA_TRAY_NO_BWRAP: '1' }, options);

/** Starts a provider in this process on a temp data dir, with an SDK client for it. */
export async function startTestProvider(options: Partial<LocalProviderOptions> = {}): Promise<TestProvider> {
  const dir = options.dataDir ? undefined : await tempDir('daytona-tray-local-');
  const dataDir = options.dataDir ?? dir!.path;
  const provider = await startLocalProvider({ ...options, dataDir });
  const daytona = new Daytona({ apiUrl: provider.apiUrl, apiKey: provider.apiKey });
  return {
    provider,
    dataDir,
    daytona,
    request(path, init = {}) {
      const { auth = true, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (auth) headers.set('authorization', `Bearer ${typeof auth === 'string' ? auth : provider.apiKey}`);
      const base = path.startsWith('/toolbox') ? provider.apiUrl.replace(/\/api$/, '') : provider.apiUrl;
      return fetch(`${base}${path}`, { ...rest, headers, signal: AbortSignal.timeout(30_000) });
    },
    async stop() {
      await daytona[Symbol.asyncDispose]();
      await provider.close();
      await dir?.cleanup();
    },
  };
}
