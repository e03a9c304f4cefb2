import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxStore } from '../../main/local/sandbox-store.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

/** A minute of auto-stop/archive/delete time, scaled down (the provider checks every minute/6). */
const MINUTE_MS = 200;
/** Generous: a few scaled minutes, on a busy 2-core machine. */
const WAIT = { timeout: 15_000, interval: 20 };

interface ProviderEvent {
  event: string;
  payload: any;
}

async function connectEvents(t: TestProvider): Promise<{ socket: Socket; events: ProviderEvent[] }> {
  const events: ProviderEvent[] = [];
  const socket = io(t.provider.apiUrl.replace(/\/api$/, ''), {
    path: '/api/socket.io/',
    transports: ['websocket'],
    auth: { token: t.provider.apiKey },
  });
  socket.onAny((event: string, payload: unknown) => events.push({ event, payload }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, events };
}

const stateChanges = (events: ProviderEvent[], id: string) =>
  events
    .filter((e) => e.event === 'sandbox.state.updated' && e.payload.sandbox.id === id)
    .map((e) => `${e.payload.oldState}>${e.payload.newState}`);
const desiredChanges = (events: ProviderEvent[], id: string) =>
  events
    .filter((e) => e.event === 'sandbox.desired-state.updated' && e.payload.sandbox.id === id)
    .map((e) => `${e.payload.oldDesiredState}>${e.payload.newDesiredState}`);

describe(`local provider auto-stop/archive/delete with scaled time (1 minute = ${MINUTE_MS} ms)`, () => {
  let t: TestProvider;
  let socket: Socket;
  let events: ProviderEvent[];

  beforeAll(async () => {
    t = await startTestProvider({ minuteMs: MINUTE_MS });
    ({ socket, events } = await connectEvents(t));
  });
  afterAll(async () => {
    socket?.close();
    await t?.stop();
  });

  it('auto-stops an idle sandbox: seen by the SDK wait, by get, and as events', async () => {
    const sandbox = await t.daytona.create({ name: 'auto-stop', autoStopInterval: 1, autoArchiveInterval: 100_000 });
    expect(sandbox.state).toBe('started');
    await sandbox.waitUntilStopped(15);
    expect((await t.daytona.get(sandbox.id)).state).toBe('stopped');
    await expect.poll(() => stateChanges(events, sandbox.id), WAIT).toEqual(['creating>started', 'started>stopping', 'stopping>stopped']);
    expect(desiredChanges(events, sandbox.id)).toEqual(['started>stopped']);
    // Files and settings survive an auto-stop; it can be started again.
    await sandbox.start();
    expect(sandbox.state).toBe('started');
  });

  it('auto-archives a sandbox that stayed stopped for autoArchiveInterval', async () => {
    const sandbox = await t.daytona.create({ name: 'auto-archive', autoStopInterval: 1, autoArchiveInterval: 1 });
    await expect.poll(async () => (await t.daytona.get(sandbox.id)).state, WAIT).toBe('archived');
    await expect
      .poll(() => stateChanges(events, sandbox.id), WAIT)
      .toEqual(['creating>started', 'started>stopping', 'stopping>stopped', 'stopped>archiving', 'archiving>archived']);
    expect(desiredChanges(events, sandbox.id)).toEqual(['started>stopped', 'stopped>archived']);
    // An archived sandbox restores on start.
    await sandbox.start();
    expect(sandbox.state).toBe('started');
    await expect.poll(() => stateChanges(events, sandbox.id).slice(-2), WAIT).toEqual(['archived>restoring', 'restoring>started']);
  });

  it('auto-deletes a sandbox that stayed stopped for autoDeleteInterval', async () => {
    const sandbox = await t.daytona.create({
      name: 'auto-delete',
      autoStopInterval: 1,
      autoDeleteInterval: 1,
      autoArchiveInterval: 100_000,
    });
    await expect
      .poll(async () => {
        try {
          return (await t.daytona.get(sandbox.id)).state;
        } catch (error) {
          return (error as { statusCode?: number }).statusCode === 404 ? 'gone (404)' : String(error);
        }
      }, WAIT)
      .toBe('gone (404)');
    await expect
      .poll(() => stateChanges(events, sandbox.id), WAIT)
      .toEqual(['creating>started', 'started>stopping', 'stopping>stopped', 'stopped>destroying', 'destroying>destroyed']);
    expect(desiredChanges(events, sandbox.id)).toEqual(['started>stopped', 'stopped>destroyed']);
    expect(t.provider.service.list().some((record) => record.id === sandbox.id)).toBe(false);
  });

  it('deletes instead of stopping when autoDeleteInterval is 0 (ephemeral)', async () => {
    const sandbox = await t.daytona.create({ name: 'ephemeral', autoStopInterval: 1, ephemeral: true });
    expect(sandbox.autoDeleteInterval).toBe(0);
    await sandbox.waitUntilStopped(15); // the SDK counts destroyed as stopped for ephemeral sandboxes
    await expect(t.daytona.get(sandbox.id)).rejects.toMatchObject({ statusCode: 404 });
    await expect
      .poll(() => stateChanges(events, sandbox.id), WAIT)
      .toEqual(['creating>started', 'started>destroying', 'destroying>destroyed']);
    expect(desiredChanges(events, sandbox.id)).toEqual(['started>destroyed']);
  });
});

describe('local provider lifecycle clock: activity and autoStopInterval 0 (driven tick by tick)', () => {
  let t: TestProvider;
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const minutes = (n: number) => {
    clock += n * 60_000;
  };
  /** One pass of the auto-stop/archive/delete job, and the transitions it started. */
  const tick = async () => {
    await t.provider.service.tick();
    await t.provider.service.idle();
  };
  const state = async (id: string) => (await t.daytona.get(id)).state;

  beforeAll(async () => {
    // Real minutes, so the provider's own timer (every 10 s) stays out of the way of the manual ticks.
    t = await startTestProvider({ minuteMs: 60_000, now: () => clock });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('toolbox calls and refreshActivity push auto-stop back; other API calls do not', async () => {
    const sandbox = await t.daytona.create({ name: 'busy', autoStopInterval: 10 });
    const createdActivity = (await t.daytona.get(sandbox.id)).lastActivityAt;

    minutes(9);
    expect((await sandbox.process.executeCommand('echo working')).result.trim()).toBe('working');
    const touched = (await t.daytona.get(sandbox.id)).lastActivityAt;
    expect(Date.parse(touched!) - Date.parse(createdActivity!)).toBe(9 * 60_000);
    minutes(9); // 18 minutes since create, 9 since the toolbox call
    await tick();
    expect(await state(sandbox.id)).toBe('started');

    await sandbox.refreshActivity();
    minutes(9);
    await tick();
    expect(await state(sandbox.id)).toBe('started');

    // Reading the sandbox through the API is not activity (as on Daytona): 9 + 2 minutes idle stops it.
    await t.daytona.get(sandbox.id);
    minutes(2);
    await tick();
    expect(await state(sandbox.id)).toBe('stopped');
  });

  it('never auto-stops with autoStopInterval 0, while a default sandbox stops after 15 minutes', async () => {
    const forever = await t.daytona.create({ name: 'forever', autoStopInterval: 0 });
    const normal = await t.daytona.create({ name: 'normal' });
    expect([forever.autoStopInterval, normal.autoStopInterval]).toEqual([0, 15]);
    minutes(16);
    await tick();
    expect(await state(normal.id)).toBe('stopped');
    expect(await state(forever.id)).toBe('started');
    minutes(60 * 24 * 365);
    await tick();
    expect(await state(forever.id)).toBe('started');
    // The stopped one has meanwhile been auto-archived (default 7 days): the clock really moved for both.
    expect(await state(normal.id)).toBe('archived');
    expect((await forever.process.executeCommand('echo still-here')).result.trim()).toBe('still-here');
  });

  it('a start counts as activity: a sandbox idle past its interval, then restarted, is not stopped by the next pass', async () => {
    const sandbox = await t.daytona.create({ name: 'raced', autoStopInterval: 5 });
    minutes(6);
    // The user stops and starts it; the tick that follows sees fresh activity (start counts) and leaves it.
    await sandbox.stop();
    await sandbox.start();
    await tick();
    expect(await state(sandbox.id)).toBe('started');
  });
});

describe('local provider shutdown while transitions run', () => {
  it('lets queued transitions finish, refuses new ones, and saves every sandbox at rest', async () => {
    const t = await startTestProvider();
    const service = t.provider.service;
    const [a, b, c, d] = await Promise.all(['shut-a', 'shut-b', 'shut-c', 'shut-d'].map((name) => t.daytona.create({ name })));
    await c!.stop();
    // Mid-flight when close() begins: a stop, a delete, a start, and a running sandbox with a session.
    await d!.process.createSession('s');
    await d!.process.executeSessionCommand('s', { command: 'sleep 300', runAsync: true });
    const inFlight = [service.stop(a!.id), service.delete(b!.id), service.start(c!.id)];
    const closing = t.provider.close();
    await expect(service.start(a!.id)).rejects.toMatchObject({
      status: 503,
      message: 'The local provider is shutting down: retry once it is running again.',
    });
    await expect(service.create({ name: 'too-late' })).rejects.toMatchObject({ status: 503 });
    expect(() => service.requireStarted(d!.id)).toThrow(/shutting down with the provider/);
    await Promise.all(inFlight);
    await closing;

    for (const id of [a!.id, b!.id, c!.id, d!.id]) expect(service.runningProcessCount(id)).toBe(0);
    const store = new SandboxStore(t.dataDir);
    expect(await store.load()).toEqual([]);
    const saved = new Map(store.all().map((record) => [record.name, record]));
    expect(saved.has('shut-b')).toBe(false);
    expect(saved.has('too-late')).toBe(false);
    for (const name of ['shut-a', 'shut-c', 'shut-d']) {
      expect(saved.get(name), name).toMatchObject({ state: 'stopped', desiredState: 'stopped' });
    }
    await t.stop(); // idempotent close, then cleanup
  });
});
