import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxChange } from '../../main/core/watcher/sandbox-diff.ts';
import { createSandboxWatcher, type SandboxWatcher } from '../../main/core/watcher/sandbox-watcher.ts';

const item = (id: string, state: string) => ({ id, name: id, state, cpu: 1, gpu: 0, memory: 1, disk: 3 });

/**
 * A Daytona-like API with a real Socket.IO gateway whose listings the test answers by hand, so an event
 * can land while a listing is on its way and the listing can then arrive with older news.
 */
async function scriptedApi() {
  const held: ServerResponse[] = [];
  const http = createServer((req, res) => {
    if (req.url?.startsWith('/api/sandbox?')) held.push(res);
    else res.writeHead(404).end();
  });
  const io = new Server(http, { path: '/api/socket.io/', serveClient: false });
  io.use((socket, next) => (socket.handshake.auth.token === 'key' ? next() : next(new Error('Unauthorized'))));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    apiUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}/api`,
    held,
    answer(items: unknown[]) {
      const res = held.shift()!;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items, nextCursor: null }));
    },
    emit: (event: string, payload: unknown) => io.emit(event, payload),
    connected: () => io.engine.clientsCount,
    close: () =>
      new Promise<void>((resolve) => {
        void io.close(() => resolve());
      }),
  };
}

let watcher: SandboxWatcher | undefined;
let api: Awaited<ReturnType<typeof scriptedApi>> | undefined;
afterEach(async () => {
  await watcher?.stop();
  await api?.close();
});

describe('sandbox watcher: events and listings racing', () => {
  it('keeps what an event said over a listing that started before it, and never drops a sandbox created meanwhile', async () => {
    api = await scriptedApi();
    const changes: SandboxChange[] = [];
    watcher = createSandboxWatcher({
      apiUrl: api.apiUrl,
      credentials: () => ({ token: 'key' }),
      pollMs: { visible: 600_000, hidden: 600_000 },
    });
    watcher.onChanges((batch) => changes.push(...batch));
    watcher.start();
    await expect.poll(() => api!.held.length).toBeGreaterThanOrEqual(1);
    api.answer([item('a', 'started')]);
    await expect.poll(() => watcher!.status().events).toBe('live');
    // The connect asked for a catch-up listing; answer it, then start one more and hold it.
    await expect.poll(() => api!.held.length).toBe(1);
    api.answer([item('a', 'started')]);
    await expect.poll(() => watcher!.status().lastListingAt !== undefined && api!.held.length === 0).toBe(true);
    const listing = watcher.refresh();
    await expect.poll(() => api!.held.length).toBe(1);

    api.emit('sandbox.state.updated', { sandbox: item('a', 'stopped'), oldState: 'started', newState: 'stopped' });
    api.emit('sandbox.created', item('b', 'started'));
    await expect.poll(() => watcher!.sandboxes().get('a')?.state === 'stopped' && watcher!.sandboxes().has('b')).toBe(true);
    // Now the held listing arrives, made before those events.
    api.answer([item('a', 'started')]);
    await listing;
    expect(watcher.sandboxes().get('a')?.state).toBe('stopped');
    expect(watcher.sandboxes().has('b')).toBe(true);
    const summary = changes.map((change) =>
      change.type === 'state'
        ? `${change.sandbox.id}:${change.from}->${change.to}`
        : `${change.type}:${'sandbox' in change ? change.sandbox.id : change.old.id}`,
    );
    expect(summary).toEqual(['added:a', 'a:started->stopped', 'added:b']);

    // The next listing is newer than every event: it is the truth again (b is gone, a archived).
    const next = watcher.refresh();
    await expect.poll(() => api!.held.length).toBe(1);
    api.answer([item('a', 'archived')]);
    await next;
    expect(
      changes.slice(3).map((change) => (change.type === 'state' ? `${change.sandbox.id}:${change.from}->${change.to}` : `${change.type}`)),
    ).toEqual(['a:stopped->archived', 'removed']);
  });
});
