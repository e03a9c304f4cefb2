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
