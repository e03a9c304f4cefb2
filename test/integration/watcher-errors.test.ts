import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaytonaApi, type DaytonaCredentials } from '../../main/core/daytona-api/daytona-api.ts';
import { listAllSandboxes } from '../../main/core/watcher/list-sandboxes.ts';
import { createSandboxWatcher, type SandboxWatcher, type WatcherStatus } from '../../main/core/watcher/sandbox-watcher.ts';

/** A stand-in for Daytona's API whose answers each test scripts; it records every request. */
async function fakeApi(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  const requests: { url: string; at: number; auth: string | undefined; org: string | undefined; source: string | undefined }[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({
      url: req.url ?? '',
      at: Date.now(),
      auth: req.headers.authorization,
      org: req.headers['x-daytona-organization-id'] as string | undefined,
      source: req.headers['x-daytona-source'] as string | undefined,
    });
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  return {
    apiUrl,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const item = (id: string, state = 'started') => ({ id, name: id, state, cpu: 1, gpu: 0, memory: 1, disk: 3, organizationId: 'org-1' });
const waitFor = (check: () => boolean, what: string) => expect.poll(check, { timeout: 20_000, interval: 20, message: what }).toBe(true);

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** The tray's Daytona client for `apiUrl`, closed after the test. */
function daytonaApi(apiUrl: string, credentials: DaytonaCredentials) {
  const api = createDaytonaApi({ apiUrl, credentials: () => credentials });
  cleanup.push(async () => api.close());
  return api;
}

function watch(
  apiUrl: string,
  extra: Partial<Parameters<typeof createSandboxWatcher>[0]> = {},
): { watcher: SandboxWatcher; statuses: WatcherStatus[] } {
  const watcher = createSandboxWatcher({
    apiUrl,
    credentials: () => ({ token: 'key-123' }),
    events: false,
    pollMs: { visible: 50, hidden: 50 },
    backoff: { baseMs: 50, maxMs: 2_000 },
    ...extra,
  });
  const statuses: WatcherStatus[] = [];
  watcher.onStatus((status) => statuses.push(status));
  cleanup.push(() => watcher.stop());
  return { watcher, statuses };
}

describe('sandbox watcher: errors from the API', () => {
  it('stops on 401 and reports "API key rejected", without retrying', async () => {
    const api = await fakeApi((_req, res) => json(res, 401, { statusCode: 401, error: 'Unauthorized', message: 'Invalid API key' }));
    cleanup.push(api.close);
    const { watcher } = watch(api.apiUrl);
    watcher.start();
    await waitFor(() => watcher.status().state === 'unauthorized', 'the watcher gives up on 401');
    expect(watcher.status().problem).toMatchObject({ kind: 'unauthorized' });
    expect(watcher.status().problem!.message).toMatch(/^API key rejected \(401\).*Invalid API key/);
    expect(watcher.status().problem!.message).not.toContain('key-123');
    expect(api.requests[0]!.auth).toBe('Bearer key-123');
    const count = api.requests.length;
    await watcher.refresh();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Six poll periods later: still the one request (a rejected key only feeds the failed-auth throttler).
    expect(api.requests.length).toBe(count);
    expect(count).toBe(1);
  });

  it('backs off on 429, honouring Retry-After, then recovers', async () => {
    const api = await fakeApi((_req, res, n) => {
      if (n <= 2)
        json(res, 429, { statusCode: 429, message: 'ThrottlerException: Too Many Requests' }, { 'retry-after-authenticated': '0.3' });
      else json(res, 200, { items: [item('a')], nextCursor: null });
    });
    cleanup.push(api.close);
    const { watcher, statuses } = watch(api.apiUrl);
    watcher.start();
    await waitFor(() => watcher.sandboxes().has('a'), 'the listing succeeds after the 429s');
    const limited = statuses.filter((status) => status.problem?.kind === 'rate-limited');
    expect(limited.map((status) => status.failures)).toEqual([1, 2]);
    expect(limited[0]!.problem!.message).toMatch(/rate-limiting.*retrying in/);
    // Each retry waited at least what Retry-After asked for (a lower bound, not a speed).
    expect(api.requests[1]!.at - api.requests[0]!.at).toBeGreaterThanOrEqual(290);
    expect(api.requests[2]!.at - api.requests[1]!.at).toBeGreaterThanOrEqual(290);
    expect(watcher.status()).toMatchObject({ state: 'running', failures: 0, problem: undefined });
  });

  it('backs off exponentially on 5xx and reports the server message', async () => {
    const api = await fakeApi((_req, res, n) => {
      if (n <= 3) json(res, 503, { statusCode: 503, message: 'maintenance' });
      else json(res, 200, { items: [item('b')], nextCursor: null });
    });
    cleanup.push(api.close);
    const { watcher, statuses } = watch(api.apiUrl, { random: () => 0.5 });
    watcher.start();
    await waitFor(() => watcher.sandboxes().has('b'), 'recovers after the 503s');
    expect(statuses.find((status) => status.problem?.kind === 'server')!.problem!.message).toContain('answered 503: maintenance');
    const gaps = api.requests.slice(1, 4).map((request, i) => request.at - api.requests[i]!.at);
    // 50 ms, 100 ms, 200 ms at the midpoint of the jitter: each wait at least the planned one.
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(95);
    expect(gaps[2]).toBeGreaterThanOrEqual(195);
  });

  it('reports a network error and recovers once the API is back', async () => {
    const api = await fakeApi((_req, res) => json(res, 200, { items: [item('c')], nextCursor: null }));
    const { apiUrl } = api;
    await api.close();
    const { watcher } = watch(apiUrl);
    watcher.start();
    await waitFor(() => watcher.status().problem?.kind === 'network', 'a network problem is reported');
    expect(watcher.status().problem!.message).toMatch(/Could not reach http:\/\/127\.0\.0\.1:\d+\/api\/sandbox: ECONNREFUSED/);
  });

  it('follows nextCursor through every page, and accepts the older plain-array answer', async () => {
    const pages: Record<string, { items: unknown[]; nextCursor: string | null }> = {
      '': { items: [item('1'), item('2')], nextCursor: 'p2' },
      p2: { items: [item('3'), { broken: true }], nextCursor: 'p3' },
      p3: { items: [item('4', 'stopped')], nextCursor: null },
    };
    const api = await fakeApi((req, res) => {
      const url = new URL(req.url ?? '', 'http://x');
      expect(url.searchParams.get('limit')).toBe('200');
      json(res, 200, pages[url.searchParams.get('cursor') ?? '']);
    });
    cleanup.push(api.close);
    const listed = await listAllSandboxes(daytonaApi(api.apiUrl, { token: 'jwt', organizationId: 'org-9' }));
    expect(listed.map((sandbox) => `${sandbox.id}:${sandbox.state}`)).toEqual(['1:started', '2:started', '3:started', '4:stopped']);
    expect(api.requests).toHaveLength(3);
    // A user token is scoped by the organization header on every page; the tray says who calls.
    expect(api.requests.map(({ auth, org, source }) => [auth, org, source])).toEqual(
      Array(3).fill(['Bearer jwt', 'org-9', 'daytona-tray']),
    );

    const legacy = await fakeApi((_req, res) => json(res, 200, [item('x'), item('y')]));
    cleanup.push(legacy.close);
    expect((await listAllSandboxes(daytonaApi(legacy.apiUrl, { token: 'k' }))).map((sandbox) => sandbox.id)).toEqual(['x', 'y']);
  });

  it('refuses a server that repeats a cursor instead of looping forever', async () => {
    const api = await fakeApi((_req, res) => json(res, 200, { items: [item('1')], nextCursor: 'same' }));
    cleanup.push(api.close);
    await expect(listAllSandboxes(daytonaApi(api.apiUrl, { token: 'k' }))).rejects.toThrow(/same page cursor twice/);
  });

  it('lists faster while the window is open than while it is hidden', async () => {
    const api = await fakeApi((_req, res) => json(res, 200, { items: [], nextCursor: null }));
    cleanup.push(api.close);
    const { watcher } = watch(api.apiUrl, { visible: false, pollMs: { visible: 30, hidden: 600_000 } });
    watcher.start();
    await waitFor(() => watcher.status().lastListingAt !== undefined, 'the first listing');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(api.requests).toHaveLength(1);
    watcher.setVisible(true);
    await waitFor(() => api.requests.length >= 4, 'frequent listings once visible');
  });

  it('stops like on a 401 when the sign-in can no longer be renewed', async () => {
    const api = await fakeApi((_req, res) => json(res, 200, { items: [], nextCursor: null }));
    cleanup.push(api.close);
    const expired = Object.assign(new Error('Your Daytona sign-in has expired or was revoked (invalid_grant): sign in again.'), {
      name: 'SignInRequiredError',
    });
    const { watcher } = watch(api.apiUrl, {
      credentials: () => {
        throw expired;
      },
      credentialKind: 'sign-in',
    });
    watcher.start();
    await waitFor(() => watcher.status().state === 'unauthorized', 'the watcher stops');
    expect(watcher.status().problem).toEqual({ kind: 'unauthorized', message: expired.message });
    expect(api.requests).toHaveLength(0);
  });
});
