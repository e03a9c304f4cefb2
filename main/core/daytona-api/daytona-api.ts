import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
// The CommonJS typings: axios is loaded with require below, as the generated clients load it.
import type { AxiosInstance, AxiosResponse, RawAxiosRequestConfig } from 'axios' with { 'resolution-mode': 'require' };
import { describeUrl, errorOf, HttpError, NetworkError, retryAfterOf } from '../http/http-errors.ts';

/** Who the calls are made as: an API key, or a signed-in user's access token plus the organization. */
export interface DaytonaCredentials {
  token: string;
  /** Required with a user token (Daytona scopes it by this header); unused with an API key. */
  organizationId?: string;
}

/**
 * The one timeout policy of the tray's Daytona calls: a hard deadline per request (an AbortSignal, not
 * axios' socket-idle timer, so a server that trickles bytes cannot hold a call forever). Start, stop and
 * delete get long: Daytona waits up to ~30 s for the runner inside the call (docs/daytona-api.md §3).
 */
export const DAYTONA_TIMEOUTS_MS = { read: 15_000, config: 10_000, lifecycle: 75_000 } as const;
export type CallKind = keyof typeof DAYTONA_TIMEOUTS_MS;

export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the policy's deadline for this call. */
  timeoutMs?: number;
}

/**
 * Daytona's API for the tray side (watcher, billing, sign-in, key check, sandbox buttons). Sandbox, config,
 * organization and API-key calls go through the SDK's own generated REST client (`@daytona/api-client`, the
 * package `@daytonaio/sdk` calls), usage through `@daytona/analytics-api-client`; the wallet, which no
 * published client has, through the same HTTP instance. Answers come back as the server sent them
 * (`unknown`); the callers parse them leniently. Failures are HttpError / NetworkError (see failureOf).
 */
export interface DaytonaApi {
  readonly apiUrl: string;
  /** One page of `GET /sandbox`: `{items, nextCursor}` (older servers: a plain array), as sent. */
  listSandboxesPage(query: { limit: number; cursor?: string }, options?: CallOptions): Promise<unknown>;
  startSandbox(id: string, options?: CallOptions): Promise<void>;
  /** A graceful stop (`force=false`). */
  stopSandbox(id: string, options?: CallOptions): Promise<void>;
  deleteSandbox(id: string, options?: CallOptions): Promise<void>;
  signedPreviewUrl(id: string, port: number, expiresInSeconds: number, options?: CallOptions): Promise<unknown>;
  /** `POST /sandbox/{id}/ssh-access?expiresInMinutes=`: a token and the `sshCommand` that uses it (a secret: never log it). */
  createSshAccess(id: string, expiresInMinutes: number, options?: CallOptions): Promise<unknown>;
  /** `GET /config`: public, sent without credentials. */
  config(options?: CallOptions): Promise<unknown>;
  /** `GET /warm-pools`: the organization's pools of sandboxes started ahead of need, as sent. */
  warmPools(options?: CallOptions): Promise<unknown>;
  /** `POST /warm-pools`, `PATCH /warm-pools/{id}` (its size) and `DELETE /warm-pools/{id}`. */
  createWarmPool(body: { snapshot: string; pool: number }, options?: CallOptions): Promise<unknown>;
  resizeWarmPool(id: string, pool: number, options?: CallOptions): Promise<unknown>;
  deleteWarmPool(id: string, options?: CallOptions): Promise<void>;
  /** `GET /organizations` (user tokens only). */
  organizations(options?: CallOptions): Promise<unknown>;
  /** `GET /api-keys/current` (API keys). */
  currentApiKey(options?: CallOptions): Promise<unknown>;
  /** `GET {analyticsApiUrl}/organization/{id}/usage/aggregated?from&to`. */
  aggregatedUsage(
    analyticsApiUrl: string,
    organizationId: string,
    window: { from: string; to: string },
    options?: CallOptions,
  ): Promise<unknown>;
  /** `GET {billingApiUrl}/v2/organization/{id}/wallet`; the organization is in the path, so no organization header. */
  wallet(billingApiUrl: string, organizationId: string, options?: CallOptions): Promise<unknown>;
  /** The same connection pool, other credentials (billing mixes an API key and a sign-in). */
  withCredentials(credentials: () => DaytonaCredentials | Promise<DaytonaCredentials>): DaytonaApi;
  /** Closes the kept-alive connections. Calls made afterwards open new ones. */
  close(): void;
}

export interface DaytonaApiOptions {
  /** e.g. https://app.daytona.io/api */
  apiUrl: string;
  /** Asked before every call, so a refreshed sign-in token is picked up. Errors it throws pass through as they are. */
  credentials: () => DaytonaCredentials | Promise<DaytonaCredentials>;
  /** Overrides the policy's deadline for every call of this client (tests, the key check). */
  timeoutMs?: number;
}

/** The one place the tray's Daytona calls get their credentials and source headers. */
export function daytonaHeaders(credentials: DaytonaCredentials): Record<string, string> {
  return {
    Authorization: `Bearer ${credentials.token}`,
    'X-Daytona-Source': 'daytona-tray',
    ...(credentials.organizationId ? { 'X-Daytona-Organization-ID': credentials.organizationId } : {}),
  };
}

type ApiClient = typeof import('@daytona/api-client');
type AnalyticsClient = typeof import('@daytona/analytics-api-client');
type Axios = typeof import('axios', { with: { 'resolution-mode': 'require' } });

// Loaded on first use (CommonJS, as main/mcp/sdk-daytona.ts does with the SDK): commands that never call
// Daytona (setup, clients, bridge) do not pay ~150 ms to load axios and the generated clients.
const load = createRequire(import.meta.url);
let modules: { api: ApiClient; analytics: AnalyticsClient; axios: Axios } | undefined;
function clients(): NonNullable<typeof modules> {
  modules ??= {
    api: load('@daytona/api-client') as ApiClient,
    analytics: load('@daytona/analytics-api-client') as AnalyticsClient,
    axios: load('axios') as Axios,
  };
  return modules;
}

export function createDaytonaApi(options: DaytonaApiOptions): DaytonaApi {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  let http: AxiosInstance | undefined;

  function instance(): AxiosInstance {
    http ??= clients().axios.create({
      httpAgent: agents.http,
      httpsAgent: agents.https,
      // A redirect would carry the key to wherever it points: never follow one (see toDaytonaError).
      maxRedirects: 0,
      // The deadline is the AbortSignal in `send`.
      timeout: 0,
      // The tray calls the loopback local provider too; an HTTP(S)_PROXY from the environment (which axios
      // honours, as the SDK in the MCP server does) must not capture those.
      ...(isLoopback(apiUrl) ? { proxy: false as const } : {}),
    });
    return http;
  }

  let generated:
    | {
        sandbox: InstanceType<ApiClient['SandboxApi']>;
        config: InstanceType<ApiClient['ConfigApi']>;
        warmPools: InstanceType<ApiClient['WarmPoolsApi']>;
        organizations: InstanceType<ApiClient['OrganizationsApi']>;
        apiKeys: InstanceType<ApiClient['ApiKeysApi']>;
      }
    | undefined;
  /** The generated clients, made once per DaytonaApi; credentials are set per call, so every binding shares them. */
  function rest(): NonNullable<typeof generated> {
    if (!generated) {
      const { Configuration, SandboxApi, ConfigApi, OrganizationsApi, ApiKeysApi, WarmPoolsApi } = clients().api;
      const configuration = new Configuration({ basePath: apiUrl });
      generated = {
        sandbox: new SandboxApi(configuration, apiUrl, instance()),
        config: new ConfigApi(configuration, apiUrl, instance()),
        warmPools: new WarmPoolsApi(configuration, apiUrl, instance()),
        organizations: new OrganizationsApi(configuration, apiUrl, instance()),
        apiKeys: new ApiKeysApi(configuration, apiUrl, instance()),
      };
    }
    return generated;
  }

  return bind(options.credentials);

  function bind(credentials: DaytonaApiOptions['credentials']): DaytonaApi {
    async function send<T>(
      kind: CallKind | 'public',
      call: (config: RawAxiosRequestConfig) => Promise<AxiosResponse<T>>,
      callOptions: CallOptions = {},
      { organizationHeader = true } = {},
    ): Promise<T> {
      let auth: Record<string, string> = {};
      if (kind !== 'public') {
        const { token, organizationId } = await credentials();
        auth = daytonaHeaders(organizationHeader && organizationId ? { token, organizationId } : { token });
      }
      const timeoutMs = callOptions.timeoutMs ?? options.timeoutMs ?? DAYTONA_TIMEOUTS_MS[kind === 'public' ? 'config' : kind];
      const deadline = AbortSignal.timeout(timeoutMs);
      const signal = callOptions.signal ? AbortSignal.any([callOptions.signal, deadline]) : deadline;
      let response: AxiosResponse<T>;
      try {
        response = await call({ headers: { Accept: 'application/json', ...auth }, signal });
      } catch (error) {
        if (callOptions.signal?.aborted)
          throw callOptions.signal.reason instanceof Error ? callOptions.signal.reason : new Error('Cancelled.');
        throw toDaytonaError(error, deadline.aborted ? timeoutMs : undefined);
      }
      if (typeof response.data === 'string' && response.data.trim() !== '') {
        throw new HttpError(
          response.status,
          `${describeUrl(response.config.url ?? apiUrl)} answered with something that is not JSON. Check the API URL (it usually ends in /api).`,
        );
      }
      return response.data;
    }

    return {
      apiUrl,
      async listSandboxesPage(query, callOptions) {
        const body: unknown = await send(
          'read',
          (config) => {
            const { sandbox } = rest();
            // Every filter is positional (30 of them); only the cursor, the limit and the request config are set.
            const args: unknown[] = new Array(sandbox.listSandboxes.length).fill(undefined);
            args[1] = query.cursor;
            args[2] = query.limit;
            args[args.length - 1] = config;
            return (sandbox.listSandboxes as (...all: unknown[]) => Promise<AxiosResponse<unknown>>).apply(sandbox, args);
          },
          callOptions,
        );
        return body;
      },
      async startSandbox(id, callOptions) {
        await send('lifecycle', (config) => rest().sandbox.startSandbox(id, undefined, config), callOptions);
      },
      async stopSandbox(id, callOptions) {
        await send('lifecycle', (config) => rest().sandbox.stopSandbox(id, undefined, false, config), callOptions);
      },
      async deleteSandbox(id, callOptions) {
        await send('lifecycle', (config) => rest().sandbox.deleteSandbox(id, undefined, config), callOptions);
      },
      signedPreviewUrl: (id, port, expiresInSeconds, callOptions) =>
        send('read', (config) => rest().sandbox.getSignedPortPreviewUrl(id, port, undefined, expiresInSeconds, config), callOptions),
      createSshAccess: (id, expiresInMinutes, callOptions) =>
        send('read', (config) => rest().sandbox.createSshAccess(id, undefined, expiresInMinutes, config), callOptions),
      config: (callOptions) => send('public', (config) => rest().config.configControllerGetConfig(config), callOptions),
      organizations: (callOptions) => send('read', (config) => rest().organizations.listOrganizations(config), callOptions),
      warmPools: (callOptions) => send('read', (config) => rest().warmPools.listWarmPools(undefined, config), callOptions),
      createWarmPool: (body, callOptions) =>
        send('lifecycle', (config) => rest().warmPools.createWarmPool(body, undefined, config), callOptions),
      resizeWarmPool: (id, pool, callOptions) =>
        send('lifecycle', (config) => rest().warmPools.updateWarmPool(id, { pool }, undefined, config), callOptions),
      async deleteWarmPool(id, callOptions) {
        await send('lifecycle', (config) => rest().warmPools.deleteWarmPool(id, undefined, config), callOptions);
      },
      currentApiKey: (callOptions) => send('read', (config) => rest().apiKeys.getCurrentApiKey(undefined, config), callOptions),
      aggregatedUsage(analyticsApiUrl, organizationId, window, callOptions) {
        const { Configuration, UsageApi } = clients().analytics;
        const base = analyticsApiUrl.replace(/\/+$/, '');
        const usage = new UsageApi(new Configuration({ basePath: base }), base, instance());
        return send(
          'read',
          (config) => usage.organizationOrganizationIdUsageAggregatedGet(organizationId, window.from, window.to, config),
          callOptions,
        );
      },
      wallet(billingApiUrl, organizationId, callOptions) {
        const url = `${billingApiUrl.replace(/\/+$/, '')}/v2/organization/${encodeURIComponent(organizationId)}/wallet`;
        return send('read', (config) => instance().get(url, config), callOptions, { organizationHeader: false });
      },
      withCredentials: (next) => bind(next),
      close() {
        agents.http.destroy();
        agents.https.destroy();
      },
    };
  }
}

/** An axios failure as this app's HttpError / NetworkError, with messages that never contain a token. */
function toDaytonaError(error: unknown, timedOutAfterMs: number | undefined): Error {
  if (error instanceof HttpError || error instanceof NetworkError) return error;
  const failure = error as {
    isAxiosError?: boolean;
    code?: string;
    message?: string;
    config?: { url?: string };
    response?: AxiosResponse;
    cause?: { code?: string };
  };
  if (!failure?.isAxiosError) return error instanceof Error ? error : new Error(String(error));
  const target = describeUrl(failure.config?.url ?? '');
  if (timedOutAfterMs !== undefined) {
    const reason = `no answer within ${Math.round(timedOutAfterMs / 1000)} s`;
    return new NetworkError(`Could not reach ${target}: ${reason}. Check the network connection and the API URL.`, {
      timedOut: true,
      reason,
    });
  }
  const response = failure.response;
  if (!response) {
    const why = failure.code && failure.code !== 'ERR_NETWORK' ? failure.code : (failure.cause?.code ?? failure.message ?? 'no answer');
    return new NetworkError(`Could not reach ${target}: ${why}. Check the network connection and the API URL.`, { reason: why });
  }
  if (response.status >= 300 && response.status < 400) {
    const location = String(response.headers?.location ?? '');
    const reason = `it redirects elsewhere (${response.status}${location ? ` to ${describeUrl(new URL(location, target).href)}` : ''}), and credentials are not sent on to another address`;
    return new NetworkError(`Could not use ${target}: ${reason}. Use the address it points to as the API URL.`, { reason });
  }
  const body: unknown = response.data;
  const { message, code } = errorOf(typeof body === 'string' ? tryJson(body) : body, typeof body === 'string' ? body : '');
  const headers = Object.entries((response.headers ?? {}) as Record<string, unknown>).map(
    ([name, value]) => [name, String(value)] as [string, string],
  );
  return new HttpError(
    response.status,
    `${target} answered ${response.status}${message ? `: ${message}` : ''}`,
    retryAfterOf(headers),
    code,
  );
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}
