import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

describe('local provider: sandbox lifecycle through the unmodified SDK', () => {
  let t: TestProvider;
  let socket: Socket;
  const events: { event: string; payload: any }[] = [];

  beforeAll(async () => {
    t = await startTestProvider();
    const origin = t.provider.apiUrl.replace(/\/api$/, '');
    socket = io(origin, { path: '/api/socket.io/', transports: ['websocket'], auth: { token: t.provider.apiKey } });
    socket.onAny((event, payload) => events.push({ event, payload }));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
  });
  afterAll(async () => {
    socket?.close();
    await t?.stop();
  });

  it('creates a started sandbox with env, labels, resources and auto intervals, and emits its events', async () => {
    const sandbox = await t.daytona.create({
      name: 'life-1',
      language: 'typescript',
      envVars: { GREETING: 'hi' },
      labels: { app: 'web' },
      autoStopInterval: 30,
      autoArchiveInterval: 120,
      autoDeleteInterval: -1,
      image: 'python:3.12-slim',
      resources: { cpu: 2, memory: 4, disk: 8 },
    });
    expect(sandbox.state).toBe('started');
    expect(sandbox.name).toBe('life-1');
    expect(sandbox.labels).toMatchObject({ app: 'web', 'code-toolbox-language': 'typescript' });
    expect(sandbox.env).toEqual({ GREETING: 'hi' });
    expect([sandbox.cpu, sandbox.memory, sandbox.disk]).toEqual([2, 4, 8]);
    expect(sandbox.autoStopInterval).toBe(30);
    expect(sandbox.autoArchiveInterval).toBe(120);
    expect(sandbox.toolboxProxyUrl).toBe(`${t.provider.apiUrl.replace(/\/api$/, '')}/toolbox`);
    await expect
      .poll(() => events.filter((e) => (e.payload?.sandbox?.id ?? e.payload?.id) === sandbox.id).map((e) => e.event))
      .toEqual(expect.arrayContaining(['sandbox.created', 'sandbox.state.updated']));
    const transition = events.find((e) => e.event === 'sandbox.state.updated' && e.payload.sandbox.id === sandbox.id);
    expect(transition?.payload).toMatchObject({ oldState: 'creating', newState: 'started' });
  });

  it('gets a sandbox by id and by name', async () => {
    const created = await t.daytona.create({ name: 'life-get' });
    expect((await t.daytona.get(created.id)).name).toBe('life-get');
    expect((await t.daytona.get('life-get')).id).toBe(created.id);
  });

  it('stops, starts, archives and restores, each wait resolved with the right state', async () => {
    const sandbox = await t.daytona.create({ name: 'life-cycle' });
    await sandbox.stop();
    expect(sandbox.state).toBe('stopped');
    await sandbox.archive();
    await expect.poll(async () => (await t.daytona.get(sandbox.id)).state).toBe('archived');
    await sandbox.start();
    expect(sandbox.state).toBe('started');
    const states = () =>
      events.filter((e) => e.event === 'sandbox.state.updated' && e.payload.sandbox.id === sandbox.id).map((e) => e.payload.newState);
    await expect.poll(states).toEqual(['started', 'stopping', 'stopped', 'archiving', 'archived', 'restoring', 'started']);
    const desired = events
      .filter((e) => e.event === 'sandbox.desired-state.updated' && e.payload.sandbox.id === sandbox.id)
      .map((e) => e.payload.newDesiredState);
    expect(desired).toEqual(['stopped', 'archived', 'started']);
  });

  it('resolves a start wait by the Socket.IO event, without falling back to the 1 s poll', async () => {
    const sandbox = await t.daytona.create({ name: 'life-event-wait' });
    await sandbox.stop();
    const gets: string[] = [];
    const onRequest = (req: { method?: string; url?: string }) => {
      if (req.method === 'GET' && req.url?.startsWith(`/api/sandbox/${sandbox.id}`)) gets.push(req.url);
    };
    t.provider.http.on('request', onRequest);
    try {
      await sandbox.start();
    } finally {
      t.provider.http.off('request', onRequest);
    }
    expect(sandbox.state).toBe('started');
    // The SDK polls once at once and then every 1000 ms; one GET at most means the event ended the wait.
    expect(gets.length).toBeLessThanOrEqual(1);
  });

  it('deletes a sandbox and reports it gone (404) afterwards', async () => {
    const sandbox = await t.daytona.create({ name: 'life-delete' });
    await sandbox.delete(30, true);
    await expect(t.daytona.get(sandbox.id)).rejects.toMatchObject({ statusCode: 404 });
    const last = events.filter((e) => e.event === 'sandbox.state.updated' && e.payload.sandbox.id === sandbox.id).at(-1);
    expect(last?.payload.newState).toBe('destroyed');
  });

  it('lists with label and state filters, sorted, paging past one page', async () => {
    for (let i = 0; i < 5; i++) await t.daytona.create({ name: `page-${i}`, labels: { suite: 'paging', idx: String(i) } });
    const stopped = await t.daytona.create({ name: 'page-stopped', labels: { suite: 'paging' } });
    await stopped.stop();
    const seen: string[] = [];
    for await (const item of t.daytona.list({ labels: { suite: 'paging' }, states: ['started'], limit: 2, sort: 'name', order: 'asc' }))
      seen.push(item.name);
    expect(seen).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    const firstPage = await (await t.request('/sandbox?limit=2&labels=%7B%22suite%22%3A%22paging%22%7D')).json();
    expect(firstPage.items).toHaveLength(2);
    expect(typeof firstPage.nextCursor).toBe('string');
    expect(firstPage.items[0].toolboxProxyUrl).toBeTruthy();
    expect(firstPage.items[0].env).toBeUndefined();
  });

  it('updates labels and auto-stop/archive/delete intervals', async () => {
    const sandbox = await t.daytona.create({ name: 'life-settings', language: 'python' });
    await sandbox.setLabels({ team: 'a' });
    await sandbox.setAutostopInterval(0);
    await sandbox.setAutoArchiveInterval(60);
    await sandbox.setAutoDeleteInterval(5);
    const fresh = await t.daytona.get(sandbox.id);
    expect(fresh.labels).toEqual({ team: 'a' });
    expect([fresh.autoStopInterval, fresh.autoArchiveInterval, fresh.autoDeleteInterval]).toEqual([0, 60, 5]);
  });

  it('gives preview and signed preview links for a port', async () => {
    const sandbox = await t.daytona.create({ name: 'life-preview' });
    const link = await sandbox.getPreviewLink(3000);
    const proxy = t.provider.previewPort;
    expect(link.url).toBe(`http://3000-${sandbox.id}.localhost:${proxy}`);
    expect(link.token.length).toBeGreaterThan(10);
    const signed = await sandbox.getSignedPreviewUrl(3000, 120);
    expect(signed).toMatchObject({ port: 3000, url: `http://3000-${signed.token}.localhost:${proxy}` });
    expect(signed.token).toMatch(/^[0-9a-f]{32}$/);
    await expect(sandbox.getPreviewLink(70000)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('serves /config without auth and flags its isolation', async () => {
    const config = await (await t.request('/config', { auth: false })).json();
    expect(config.localProvider.isolation).toBe(t.provider.isolation);
    expect(config.proxyToolboxUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/toolbox$/);
  });
});
