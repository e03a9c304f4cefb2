import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../main/core/supervisor/clock.ts';
import { createLogBuffer } from '../../main/core/supervisor/log-buffer.ts';
import {
  createProcessSupervisor,
  type ProcessSupervisor,
  type ProcessSupervisorOptions,
  type SupervisorStatus,
} from '../../main/core/supervisor/process-supervisor.ts';
import {
  firstStdoutLine,
  type ChildExit,
  type ChildHandle,
  type OutputStream,
  type SpawnPort,
  type SpawnSpec,
} from '../../main/core/supervisor/spawn-child.ts';

// ---------------------------------------------------------------------------------------------------------
// A fake clock (timers run only when the test advances time) and a fake spawner (children the test drives).

interface FakeClock extends Clock {
  advance(ms: number): Promise<void>;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

function createFakeClock(start = 1_000_000): FakeClock {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      nextId += 1;
      timers.set(nextId, { at: now + Math.max(0, ms), callback });
      return nextId;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    async advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`advance(${ms}): a test bug`);
      const target = now + ms;
      for (;;) {
        await settle();
        const due = [...timers.entries()].filter(([, timer]) => timer.at <= target).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = target;
      await settle();
    },
  };
}

interface FakeChild {
  spec: SpawnSpec;
  pid: number;
  signals: NodeJS.Signals[];
  /** How it answers SIGTERM: exit (default) or ignore it (only SIGKILL ends it). */
  onTerm: 'exit' | 'ignore';
  exited: boolean;
  write(stream: OutputStream, line: string): void;
  exit(code: number | null, signal?: NodeJS.Signals | null): void;
}

function createFakeSpawner(): { spawn: SpawnPort; children: FakeChild[] } {
  const children: FakeChild[] = [];
  let nextPid = 4000;
  const spawn: SpawnPort = (spec) => {
    const listeners = new Set<(stream: OutputStream, line: string) => void>();
    let resolveExit!: (exit: ChildExit) => void;
    const exited = new Promise<ChildExit>((resolve) => {
      resolveExit = resolve;
    });
    const child: FakeChild = {
      spec,
      pid: nextPid++,
      signals: [],
      onTerm: 'exit',
      exited: false,
      write: (stream, line) => {
        for (const listener of listeners) listener(stream, line);
      },
      exit(code, signal = null) {
        if (child.exited) return;
        child.exited = true;
        resolveExit({ code, signal });
      },
    };
    const handle: ChildHandle = {
      pid: child.pid,
      exited,
      closed: exited.then(() => {}),
      onLine(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      kill(signal) {
        child.signals.push(signal);
        if (signal === 'SIGKILL' || (signal === 'SIGTERM' && child.onTerm === 'exit')) child.exit(null, signal);
      },
    };
    children.push(child);
    return handle;
  };
  return { spawn, children };
}

// ---------------------------------------------------------------------------------------------------------

interface Harness {
  clock: FakeClock;
  children: FakeChild[];
  supervisor: ProcessSupervisor<{ port: number }>;
  states: SupervisorStatus[];
  healthy: { value: boolean };
  log: ReturnType<typeof createLogBuffer>;
}

let current: Harness | undefined;
afterEach(async () => {
  // Nothing may be left running between tests.
  const harness = current;
  current = undefined;
  if (!harness) return;
  const stopping = harness.supervisor.stop();
  await harness.clock.advance(60_000);
  await stopping;
});

function harness(overrides: Partial<ProcessSupervisorOptions<{ port: number }>> = {}): Harness {
  const clock = createFakeClock();
  const { spawn, children } = createFakeSpawner();
  const states: SupervisorStatus[] = [];
  const healthy = { value: true };
  const log = createLogBuffer({ now: clock.now });
  let port = 7000;
  const supervisor = createProcessSupervisor<{ port: number }>({
    label: 'The test server',
    source: 'test',
    spawn,
    clock,
    log,
    prepare: () => ({
      spec: { command: 'node', args: ['serve', String(port++)], env: { SECRET: 'top-secret-value' } },
      secrets: ['top-secret-value'],
    }),
    ready: async (child, signal) => JSON.parse(await firstStdoutLine(child, signal)) as { port: number },
    health: async () => {
      if (!healthy.value) throw new Error('connection refused');
    },
    onChange: (status) => states.push(status),
    ...overrides,
  });
  current = { clock, children, supervisor, states, healthy, log };
  return current;
}

/** Makes the newest child print its ready line. */
async function becomeReady(h: Harness): Promise<FakeChild> {
  const child = h.children.at(-1)!;
  child.write('stdout', JSON.stringify({ port: 7000 }));
  await h.clock.advance(0);
  return child;
}

describe('ProcessSupervisor (fake clock, fake children)', () => {
  it('starts a child, reports starting, then running once its ready line arrives', async () => {
    const h = harness();
    h.supervisor.start();
    await h.clock.advance(0);
    expect(h.children).toHaveLength(1);
    expect(h.supervisor.status()).toMatchObject({ state: 'starting', pid: 4000, starts: 1 });
    await becomeReady(h);
    expect(h.supervisor.status()).toMatchObject({ state: 'running', pid: 4000 });
    expect(h.supervisor.current()).toEqual({ port: 7000 });
    h.supervisor.start(); // a second start is a no-op: still one child
    await h.clock.advance(0);
    expect(h.children).toHaveLength(1);
  });

  it('restarts a crashed child within a second, asking prepare() again', async () => {
    const h = harness();
    h.supervisor.start();
    await h.clock.advance(0);
    const first = await becomeReady(h);
    const crashedAt = h.clock.now();
    first.write('stderr', 'panic: out of memory');
    first.exit(null, 'SIGKILL');
    await h.clock.advance(0);
    const status = h.supervisor.status();
    expect(status.state).toBe('restarting');
    expect(status.reason).toBe('The test server was killed by SIGKILL. Its last output: panic: out of memory');
    expect(status.retryAt! - crashedAt).toBeLessThanOrEqual(1000);
    await h.clock.advance(status.retryAt! - h.clock.now());
    expect(h.children).toHaveLength(2);
    expect(h.children[1]!.spec.args).toEqual(['serve', '7001']);
    await becomeReady(h);
    expect(h.supervisor.status()).toMatchObject({ state: 'running', pid: 4001, starts: 2 });
  });

  it('a child that exits at once: failed with its stderr tail (secrets removed), retried with doubling waits up to 30 s', async () => {
    const h = harness();
    h.supervisor.start();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      await h.clock.advance(0);
      const child = h.children.at(-1)!;
      child.write('stderr', 'reading config');
      child.write('stderr', 'fatal: bad key top-secret-value');
      child.exit(3);
      await h.clock.advance(0);
      const status = h.supervisor.status();
      expect(status.state).toBe('failed');
      delays.push(status.retryAt! - h.clock.now());
      await h.clock.advance(status.retryAt! - h.clock.now());
    }
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000, 30_000]);
    const reason = h.states.findLast((s) => s.state === 'failed')!.reason!;
    expect(reason).toBe('The test server exited with code 3 while starting. Its last output: reading config ⏎ fatal: bad key ***');
    expect(h.log.lines().join('\n')).not.toContain('top-secret-value');
  });

  it('a child that had run stably starts over with a short wait', async () => {
    const h = harness();
    h.supervisor.start();
    for (let i = 0; i < 3; i++) {
      await h.clock.advance(0);
      h.children.at(-1)!.exit(1);
      await h.clock.advance(0);
      await h.clock.advance(h.supervisor.status().retryAt! - h.clock.now());
    }
    expect(h.supervisor.status().failures).toBe(3);
    const child = await becomeReady(h);
    await h.clock.advance(10_000); // healthy all along
    child.exit(1);
    await h.clock.advance(0);
    expect(h.supervisor.status()).toMatchObject({ state: 'restarting', failures: 1 });
    expect(h.supervisor.status().retryAt! - h.clock.now()).toBe(200);
  });

  it('failed health checks: SIGTERM, then a new child', async () => {
    const h = harness({ healthIntervalMs: 1000, healthFailuresToRestart: 2 });
    h.supervisor.start();
    await h.clock.advance(0);
    const child = await becomeReady(h);
    await h.clock.advance(3000);
    expect(h.supervisor.status().state).toBe('running');
    h.healthy.value = false;
    await h.clock.advance(1000);
    expect(h.supervisor.status().state).toBe('running'); // one miss is tolerated
    await h.clock.advance(1000);
    expect(child.signals).toEqual(['SIGTERM', 'SIGKILL']); // SIGTERM ends it; SIGKILL sweeps its process group
    expect(h.supervisor.status()).toMatchObject({ state: 'restarting' });
    expect(h.supervisor.status().reason).toContain(
      'The test server stopped answering health checks (2 failed in a row; last: connection refused)',
    );
    h.healthy.value = true;
    await h.clock.advance(200);
    await becomeReady(h);
    expect(h.supervisor.status()).toMatchObject({ state: 'running', pid: 4001 });
  });

  it('a health check that never answers counts as failed at the timeout', async () => {
    const h = harness({ healthIntervalMs: 1000, healthTimeoutMs: 500, healthFailuresToRestart: 1, health: () => new Promise(() => {}) });
    h.supervisor.start();
    await h.clock.advance(0);
    await becomeReady(h);
    await h.clock.advance(1499);
    expect(h.supervisor.status().state).toBe('running');
    await h.clock.advance(1);
    expect(h.supervisor.status().reason).toContain('no answer within 500 ms');
  });

  it('a child that ignores SIGTERM gets SIGKILL after the grace period', async () => {
    const h = harness({ stopGraceMs: 3000 });
    h.supervisor.start();
    await h.clock.advance(0);
    const child = await becomeReady(h);
    child.onTerm = 'ignore';
    const stopped = h.supervisor.stop();
    await h.clock.advance(2999);
    expect(child.signals).toEqual(['SIGTERM']);
    expect(child.exited).toBe(false);
    await h.clock.advance(1);
    await stopped;
    expect(child.signals).toEqual(['SIGTERM', 'SIGKILL', 'SIGKILL']);
    expect(child.exited).toBe(true);
    expect(h.supervisor.status().state).toBe('stopped');
    expect(h.log.lines().join('\n')).toContain('did not exit within 3 s of SIGTERM: sending SIGKILL');
  });

  it('stop() during a backoff wait starts nothing more', async () => {
    const h = harness();
    h.supervisor.start();
    await h.clock.advance(0);
    h.children[0]!.exit(1);
    await h.clock.advance(0);
    expect(h.supervisor.status().state).toBe('failed');
    await h.supervisor.stop();
    await h.clock.advance(120_000);
    expect(h.children).toHaveLength(1);
    expect(h.supervisor.status().state).toBe('stopped');
    expect(h.supervisor.active()).toBe(false);
  });

  it('restart() cuts a backoff wait short and forgets earlier failures', async () => {
    const h = harness();
    h.supervisor.start();
    for (let i = 0; i < 6; i++) {
      await h.clock.advance(0);
      h.children.at(-1)!.exit(1);
      await h.clock.advance(0);
      await h.clock.advance(h.supervisor.status().retryAt! - h.clock.now());
    }
    await h.clock.advance(0);
    h.children.at(-1)!.exit(1);
    await h.clock.advance(0);
    expect(h.supervisor.status().retryAt! - h.clock.now()).toBe(12_800); // the 7th failure in a row
    h.supervisor.restart('the profile changed');
    await h.clock.advance(0);
    expect(h.children).toHaveLength(8);
    expect(h.supervisor.status()).toMatchObject({ state: 'starting', failures: 0 });
    await becomeReady(h);
    expect(h.supervisor.status().state).toBe('running');
  });

  it('restart() replaces a running child: SIGTERM to the old one first, never two at once', async () => {
    const h = harness();
    h.supervisor.start();
    await h.clock.advance(0);
    const first = await becomeReady(h);
    h.supervisor.restart('new key');
    await h.clock.advance(0);
    expect(first.signals[0]).toBe('SIGTERM');
    expect(first.exited).toBe(true);
    expect(h.children).toHaveLength(2);
    expect(h.states.some((s) => s.state === 'restarting' && s.reason === 'new key')).toBe(true);
  });

  it('a child that never prints its ready line fails at the ready timeout and is killed', async () => {
    const h = harness({ readyTimeoutMs: 5000 });
    h.supervisor.start();
    await h.clock.advance(4999);
    expect(h.supervisor.status().state).toBe('starting');
    await h.clock.advance(1);
    expect(h.children[0]!.signals[0]).toBe('SIGTERM');
    expect(h.supervisor.status()).toMatchObject({ state: 'failed', reason: 'The test server did not get ready within 5 s.' });
  });

  it('a prepare() that throws is a failure with backoff, not a crash of the supervisor', async () => {
    let calls = 0;
    const h = harness({
      prepare: () => {
        calls += 1;
        throw new Error('the keychain is locked');
      },
    });
    h.supervisor.start();
    await h.clock.advance(0);
    expect(h.supervisor.status()).toMatchObject({
      state: 'failed',
      reason: 'The test server could not be prepared: the keychain is locked.',
    });
    await h.clock.advance(200);
    expect(calls).toBe(2);
    expect(h.children).toHaveLength(0);
  });
});
