import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as apiClient from '@daytona/api-client';
import * as toolboxClient from '@daytona/toolbox-api-client';
import type { Sandbox } from '@daytonaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

/**
 * The route walk: every operation of the generated clients the pinned SDK uses is sent to a running provider, and
 * each must be served or refused on purpose (422 naming it, unsupported.ts). An operation the provider has no route
 * for falls through to its "no such route" 404, which would make the SDK raise "not found": a new SDK version that
 * adds a route, or a route removed by mistake, fails here. Nothing below lists what is served: the answers do.
 *
 * Walked: every *Api class of @daytona/toolbox-api-client (the daemon's whole API), and the @daytona/api-client
 * classes the SDK constructs (found in its code). The dashboard's APIs (organizations, users, keys, webhooks,
 * runners, regions, audit) are not: the SDK never calls them.
 */

interface Operation {
  client: 'api' | 'toolbox';
  name: string;
  method: string;
  /** The path with `{n}` where argument n went, for messages. */
  template: string;
  /** The path (and query) to request, with a placeholder value for every argument. */
  path: string;
  body: 'json' | 'form' | undefined;
}

type ParamCreatorFactory = (
  config: unknown,
) => Record<string, (...args: unknown[]) => Promise<{ url: string; options: Record<string, unknown> }>>;

const require = createRequire(import.meta.url);
const MARKER = /__p(\d+)__/g;
/** What a path argument becomes: no sandbox, file, session or volume has this name. */
const ARGUMENT = 'route-walk-missing';

/** The names of the api-client classes the SDK constructs (`new api_client_1.SandboxApi(…)` in its CommonJS build). */
function apiClassesTheSdkUses(): string[] {
  const dir = dirname(require.resolve('@daytonaio/sdk'));
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.js'))) {
    for (const match of readFileSync(join(dir, file), 'utf8').matchAll(/new api_client_1\.(\w+Api)\(/g)) names.add(match[1]!);
  }
  return [...names].sort();
}

/** Every operation of the given classes, as their param creators build the request (nothing is sent). */
async function operationsOf(client: Operation['client'], module: Record<string, unknown>, classes: string[]): Promise<Operation[]> {
  const operations: Operation[] = [];
  const configuration = new apiClient.Configuration({});
  for (const className of classes) {
    const factory = module[`${className}AxiosParamCreator`] as ParamCreatorFactory | undefined;
    if (typeof factory !== 'function') throw new Error(`${className} has no param creator: the generated client changed shape`);
    for (const [name, build] of Object.entries(factory(configuration))) {
      // Required arguments come before the first default (`options = {}`): each gets a marker to find it by.
      const args = Array.from({ length: build.length }, (_, index) => `__p${index}__`);
      const { url, options } = await build(...args);
      const data = options.data;
      const body = data instanceof FormData ? 'form' : typeof data === 'string' && data.length > 0 ? 'json' : undefined;
      operations.push({
        client,
        name: `${className}.${name}`,
        method: String(options.method),
        template: url.split('?')[0]!.replace(MARKER, '{$1}'),
        path: url.replace(MARKER, ARGUMENT),
        body,
      });
    }
  }
  return operations;
}

type Outcome = 'served' | 'refused' | 'no route';

describe('local provider: every route of the SDK is served or refused on purpose', () => {
  let t: TestProvider;
  let sandbox: Sandbox;
  let operations: Operation[];

  beforeAll(async () => {
    t = await startTestProvider();
    sandbox = await t.daytona.create({ name: 'route-walk' });
    const toolboxClasses = Object.keys(toolboxClient).filter(
      (name) => name.endsWith('Api') && typeof toolboxClient[name as keyof typeof toolboxClient] === 'function',
    );
    operations = [
      ...(await operationsOf('api', apiClient as Record<string, unknown>, apiClassesTheSdkUses())),
      ...(await operationsOf('toolbox', toolboxClient as Record<string, unknown>, toolboxClasses)),
    ];
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  const urlOf = (op: Operation) => {
    const base = op.client === 'api' ? t.provider.apiUrl : `${t.provider.apiUrl.replace(/\/api$/, '')}/toolbox/${sandbox.id}`;
    return `${base}${op.path}`;
  };

  /** How the provider answers a plain HTTP request for the operation. */
  async function overHttp(op: Operation): Promise<{ outcome: Outcome; detail: string }> {
    const headers = new Headers({ authorization: `Bearer ${t.provider.apiKey}` });
    let body: BodyInit | undefined;
    if (op.body === 'json') {
      headers.set('content-type', 'application/json');
      body = '{}';
    } else if (op.body === 'form') body = new FormData();
    const response = await fetch(urlOf(op), { method: op.method, headers, body, signal: AbortSignal.timeout(60_000) });
    const text = await response.text();
    const message = (/"message"\s*:\s*"([^"]*)"/.exec(text)?.[1] ?? text).slice(0, 160);
    const detail = `${response.status} ${message}`;
    if (response.status === 404 && /no such route on the local provider/.test(message)) return { outcome: 'no route', detail };
    // A route with a parameter in that place took the operation's own name for an argument (GET /sandbox/{id} for
    // GET /sandbox/for-runner): the operation is not served, it is shadowed.
    const literal = op.template.split('/').find((part) => part !== '' && !part.startsWith('{') && message.includes(` ${part} not found`));
    if (response.status === 404 && literal) return { outcome: 'no route', detail: `${detail} (shadowed by a route with a parameter)` };
    if (response.status === 422 && /is not supported by the local provider/.test(message)) return { outcome: 'refused', detail };
    return { outcome: 'served', detail };
  }

  /** Whether anything answers the operation as a WebSocket (the SDK opens PTYs, the interpreter, log follows so). */
  function overWebSocket(op: Operation): Promise<{ outcome: Outcome; detail: string }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(urlOf(op).replace(/^http/, 'ws'), {
        headers: { authorization: `Bearer ${t.provider.apiKey}` },
        handshakeTimeout: 30_000,
      });
      ws.once('open', () => {
        ws.once('close', (_code, reason) => {
          const text = reason.toString();
          resolve({ outcome: /is not supported by the local provider/.test(text) ? 'refused' : 'served', detail: `WebSocket ${text}` });
        });
        ws.close();
      });
      // The upgrade handler answered with a plain HTTP status (a missing session, say): it knows the route.
      ws.once('unexpected-response', (_req, res) => {
        resolve({ outcome: 'served', detail: `WebSocket refused with ${res.statusCode}` });
        res.resume();
        ws.terminate();
      });
      // Nobody took the upgrade: the socket was dropped.
      ws.once('error', (error) => resolve({ outcome: 'no route', detail: `WebSocket: ${error.message}` }));
    });
  }

  it('walks the clients the SDK uses (and finds them)', () => {
    const classes = new Set(operations.map((op) => op.name.split('.')[0]));
    for (const name of [
      'SandboxApi',
      'VolumesApi',
      'SecretApi',
      'SnapshotsApi',
      'FileSystemApi',
      'ProcessApi',
      'GitApi',
      'LspApi',
      'InterpreterApi',
    ]) {
      expect(classes, name).toContain(name);
    }
    expect(operations.length).toBeGreaterThan(150);
  });

  it('answers every operation: served, or refused with 422 naming it; none falls through to "no such route"', async () => {
    const results: { op: Operation; outcome: Outcome; detail: string }[] = [];
    for (const op of operations) {
      let result = await overHttp(op);
      if (result.outcome === 'no route' && op.method === 'GET' && op.client === 'toolbox') {
        const ws = await overWebSocket(op);
        if (ws.outcome !== 'no route') result = ws;
      }
      results.push({ op, ...result });
    }
    if (process.env.ROUTE_WALK_DUMP)
      writeFileSync(
        process.env.ROUTE_WALK_DUMP,
        results.map((r) => `${r.outcome}\t${r.op.method} ${r.op.client} ${r.op.template}\t${r.detail}`).join('\n'),
      );
    const missing = results
      .filter((r) => r.outcome === 'no route')
      .map((r) => `${r.op.name}: ${r.op.method} ${r.op.template} (${r.detail})`);
    expect(missing, 'operations the provider neither serves nor lists in main/local/unsupported.ts').toEqual([]);
    // Both kinds occur: the walk reaches the provider's routes and its refusals alike.
    expect(results.filter((r) => r.outcome === 'served').length).toBeGreaterThan(100);
    expect(results.some((r) => r.outcome === 'refused')).toBe(true);
  }, 600_000);
});
