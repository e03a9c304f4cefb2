import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogBuffer } from '../../main/core/supervisor/log-buffer.ts';
import {
  createProcessSupervisor,
  type ProcessSupervisor,
  type ProcessSupervisorOptions,
  type SupervisorStatus,
} from '../../main/core/supervisor/process-supervisor.ts';
import { firstStdoutLine, spawnChild } from '../../main/core/supervisor/spawn-child.ts';
import { until } from '../helpers/until.ts';
import { processGone } from '../helpers/host-state.ts';

/** The generic supervisor with real child processes (tiny fixture programs under test/fixtures/children/). */
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/children/${name}`, import.meta.url));
const SECRET = 'fixture-secret-0123456789';

interface Served {
  port: number;
  pid: number;
  grandchild?: number;
}

let supervisors: ProcessSupervisor<Served>[] = [];
afterEach(async () => {
  await Promise.all(supervisors.map((s) => s.stop()));
  supervisors = [];
});

function supervise(script: string, env: Record<string, string> = {}, overrides: Partial<ProcessSupervisorOptions<Served>> = {}) {
  const states: SupervisorStatus[] = [];
  const log = createLogBuffer();
  const supervisor = createProcessSupervisor<Served>({
    label: 'The fixture',
    source: 'fixture',
    spawn: spawnChild,
    log,
    prepare: () => ({
      spec: { command: process.execPath, args: [fixture(script)], env: { PATH: process.env.PATH, FIXTURE_SECRET: SECRET, ...env } },
      secrets: [SECRET],
    }),
    ready: async (child, signal) => JSON.parse(await firstStdoutLine(child, signal)) as Served,
    health: async (served, signal) => {
      const response = await fetch(`http://127.0.0.1:${served.port}/health`, { signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    },
    onChange: (status) => states.push({ ...status }),
    ...overrides,
  });
  supervisors.push(supervisor);
  return { supervisor, states, log };
}

const waitFor = <T>(what: string, probe: () => T, timeoutMs = 20_000) => until(what, timeoutMs, probe);

describe('ProcessSupervisor with real children', () => {
  it('kill -9 of a running child: restarted within 1 s of the crash, running again', async () => {
    const { supervisor, states, log } = supervise('serve.mjs');
    supervisor.start();
    const first = await waitFor('the first child', () => supervisor.current());
    await waitFor('its log line', () => log.lines().some((line) => line.includes('listening on')));
    const killedAt = Date.now();
    process.kill(first.pid, 'SIGKILL');
    const second = await waitFor('a new child', () => {
      const current = supervisor.current();
      return current && current.pid !== first.pid ? current : undefined;
    });
    const measured = Date.now() - killedAt;
    const restarting = states.find((s) => s.state === 'restarting')!;
    expect(restarting.reason).toMatch(/^The fixture was killed by SIGKILL\. Its last output: listening on \d+ with key \*\*\*$/);
    // The supervisor's own promise (deterministic): the next start was due within 1 s of the crash.
    expect(restarting.retryAt! - restarting.since).toBeLessThanOrEqual(1000);
    expect(supervisor.status()).toMatchObject({ state: 'running', pid: second.pid, starts: 2 });
    console.log(`kill -9 -> running again after ${measured} ms (fixture server)`);
  });

  it('a child that exits at once: state failed with its exit code and stderr tail (secret removed), retried with growing waits', async () => {
    const { supervisor, states, log } = supervise('exit-at-once.mjs');
    supervisor.start();
    await waitFor('three failures', () => states.filter((s) => s.state === 'failed').length >= 3);
    const failed = states.filter((s) => s.state === 'failed');
    expect(failed[0]!.reason).toBe(
      'The fixture exited with code 3 while starting. Its last output: starting up ⏎ fatal: cannot open the config (secret ***)',
    );
    expect(failed.map((s) => s.retryAt! - s.since)).toEqual([200, 400, 800]);
    expect(log.lines().join('\n')).not.toContain(SECRET);
    expect(log.lines().join('\n')).toContain('fixture: fatal: cannot open the config (secret ***)');
  });

  it('a child that hangs (alive, deaf to health checks and SIGTERM) is SIGKILLed and replaced', async () => {
    const { supervisor, states, log } = supervise(
      'serve.mjs',
      { FIXTURE_HANG_AFTER_MS: '300' },
      { healthIntervalMs: 200, healthTimeoutMs: 300, healthFailuresToRestart: 2, stopGraceMs: 500 },
    );
    supervisor.start();
    const first = await waitFor('the first child', () => supervisor.current());
    await waitFor('a restart', () => states.some((s) => s.state === 'restarting'));
    const restarting = states.find((s) => s.state === 'restarting')!;
    expect(restarting.reason).toContain('The fixture stopped answering health checks (2 failed in a row');
    expect(restarting.reason).toContain('hanging now');
    expect(log.lines().join('\n')).toContain(`pid ${first.pid} did not exit within 500 ms of SIGTERM: sending SIGKILL`);
    expect(processGone(first.pid)).toBe(true);
    const second = await waitFor('a new child', () => {
      const current = supervisor.current();
      return current && current.pid !== first.pid ? current : undefined;
    });
    expect(second.pid).not.toBe(first.pid);
  });

  it('stop() leaves no process behind: the child ignoring SIGTERM and the grandchild it started', async () => {
    const { supervisor } = supervise('serve.mjs', { FIXTURE_IGNORE_TERM: '1', FIXTURE_GRANDCHILD: '1' }, { stopGraceMs: 500 });
    supervisor.start();
    const served = await waitFor('the child', () => supervisor.current());
    expect(served.grandchild).toBeGreaterThan(0);
    expect(processGone(served.pid)).toBe(false);
    expect(processGone(served.grandchild!)).toBe(false);
    await supervisor.stop();
    expect(supervisor.status().state).toBe('stopped');
    expect(processGone(served.pid)).toBe(true);
    await waitFor('the grandchild to go', () => processGone(served.grandchild!), 5000);
  });

  it('a program that cannot be started at all is a clear failure', async () => {
    const { supervisor, states } = supervise(
      'exit-at-once.mjs',
      {},
      {
        prepare: () => ({ spec: { command: '/nonexistent/daytona-tray-node', args: [], env: {} } }),
      },
    );
    supervisor.start();
    await waitFor('a failure', () => states.some((s) => s.state === 'failed'));
    expect(states.find((s) => s.state === 'failed')!.reason).toMatch(
      /^The fixture could not be started: spawn \/nonexistent\/daytona-tray-node ENOENT\.$/,
    );
  });
});
